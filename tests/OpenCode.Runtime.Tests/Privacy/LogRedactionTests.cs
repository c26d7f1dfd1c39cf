using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Tests.Privacy;

public sealed partial class LogRedactionTests
{
    [Fact]
    public void Classified_parameters_are_masked_or_erased_in_what_providers_write()
    {
        var lines = new ConcurrentQueue<string>();
        using var host = Host(lines, []);
        var logger = host.Services.GetRequiredService<ILogger<LogRedactionTests>>();

        LogFailure(logger, "openai", "Mail jane@example.com, card 4111 1111 1111 1111, key sk-test-abcdefghijklmnop0123", "sk-live-0123456789abcdef");

        var line = Assert.Single(lines);
        Assert.Equal("Model openai failed: Mail [email], card [card], key [secret] (key: )", line);
    }

    [Fact]
    public void A_masked_exception_shows_its_type_and_stack_with_secrets_and_personal_data_masked()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("call to conversation/acme/jane@example.com/c-1 with key sk-test-abcdefghijklmnop0123 failed");
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        var masked = MaskedException.From(thrown);

        Assert.Equal("call to conversation/acme/[email]/c-1 with key [secret] failed", masked.Message);
        Assert.StartsWith("System.InvalidOperationException: call to conversation/acme/[email]/c-1 with key [secret] failed", masked.ToString(), StringComparison.Ordinal);
        Assert.Contains(nameof(A_masked_exception_shows_its_type_and_stack_with_secrets_and_personal_data_masked), masked.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, LogLevel.Debug)]
    [InlineData("Trace", LogLevel.Debug)]
    [InlineData("Warning", LogLevel.Warning)]
    public void The_mcp_sdk_logs_at_debug_at_most(string? configured, LogLevel lowest)
    {
        var lines = new ConcurrentQueue<string>();
        var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" };
        if (configured is not null)
        {
            settings["Logging:LogLevel:ModelContextProtocol"] = configured;
        }

        using var host = Host(lines, settings);
        var factory = host.Services.GetRequiredService<ILoggerFactory>();

        Assert.True(factory.CreateLogger("OpenCode.Runtime.Conversations.TurnLoop").IsEnabled(LogLevel.Trace));
        var mcp = factory.CreateLogger("ModelContextProtocol.Client.McpClient");
        Assert.False(mcp.IsEnabled(LogLevel.Trace));
        Assert.True(mcp.IsEnabled(lowest));
        Assert.Equal(lowest == LogLevel.Debug, mcp.IsEnabled(LogLevel.Debug));
    }

    private static IHost Host(ConcurrentQueue<string> lines, Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddProvider(new CapturingLoggerProvider(lines));
        builder.AddOpenCodePrivacy();
        return builder.Build();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Provider} failed: {Error} (key: {Key})")]
    private static partial void LogFailure(ILogger logger, string provider, [Pii] string error, [Secret] string key);

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}
