using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenCode.Runtime.Security;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Models;

public static class ModelProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ChatClientFactory"/> (singleton) and the named <see cref="HttpClient"/>
    /// <see cref="ChatClientFactory.HttpClientName"/> all model clients share: one <see cref="SocketsHttpHandler"/>
    /// with pooled connections recycled every 5 minutes (so DNS changes are seen although the clients live for the
    /// whole process) and a connect timeout of <c>Models:ConnectTimeoutSeconds</c> (default 10), which follows no
    /// redirects and connects only where the <see cref="EndpointPolicy"/> allows (<see cref="ConnectionGuard"/>).
    /// The factory reads <see cref="PrivacyOptions"/> from the <c>Privacy</c> section.
    /// Needs <see cref="IConfiguration"/> in the container (every host has it).
    /// </summary>
    public static IServiceCollection AddModelProviders(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddEndpointPolicy();
        services.AddHttpClient(ChatClientFactory.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static provider => provider.GetRequiredService<ConnectionGuard>().Guard(new SocketsHttpHandler
            {
                ConnectTimeout = ModelClientOptions.From(provider.GetRequiredService<IConfiguration>()).ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                EnableMultipleHttp2Connections = true,
            }))
            // The factory keeps its clients for the life of the process; connection recycling is the handler's job.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // No per-request log lines on the hot path, and nothing that could echo a request header.
            .RemoveAllLoggers();

        services.AddOptions<PrivacyOptions>().BindConfiguration(PrivacyOptions.SectionName);
        services.TryAddSingleton<ChatClientFactory>();
        return services;
    }
}
