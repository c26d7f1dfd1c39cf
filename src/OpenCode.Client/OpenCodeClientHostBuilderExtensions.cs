using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OpenCode.Client;

public static class OpenCodeClientHostBuilderExtensions
{
    /// <summary>
    /// Connects this host to an OpenCode gateway silo as an Orleans client and registers
    /// <see cref="OpenCodeClient"/>. Options bind from the <c>OpenCode</c> configuration section, then
    /// <paramref name="configure"/>.
    /// </summary>
    public static IHostApplicationBuilder AddOpenCodeClient(this IHostApplicationBuilder builder, Action<OpenCodeClientOptions>? configure = null)
    {
        var options = new OpenCodeClientOptions();
        builder.Configuration.GetSection("OpenCode").Bind(options);
        configure?.Invoke(options);
        builder.Services.AddSingleton(Options.Create(options));

        builder.UseOrleansClient(client => client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId));
        builder.Services.AddSingleton<OpenCodeClient>();
        return builder;
    }
}
