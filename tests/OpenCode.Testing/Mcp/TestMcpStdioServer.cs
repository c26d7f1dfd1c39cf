using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OpenCode.Testing;

/// <summary>The test MCP server over stdio: <c>OpenCode.Testing mcp-stdio</c>.</summary>
internal static class TestMcpStdioServer
{
    public static async Task RunAsync(CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });

        // stdout carries JSON-RPC; every log line must go to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);

        builder.Services.AddMcpServer(TestMcpServerInfo.Configure)
            .WithStdioServerTransport()
            .WithTools<TestTools>();

        await builder.Build().RunAsync(ct);
    }
}
