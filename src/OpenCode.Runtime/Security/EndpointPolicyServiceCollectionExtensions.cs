using Microsoft.Extensions.DependencyInjection;

namespace OpenCode.Runtime.Security;

public static class EndpointPolicyServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EndpointPolicyOptions"/> (bound from the <c>Security</c> section; an entry that is not a URL
    /// pattern stops the start), <see cref="EndpointPolicy"/> and <see cref="ConnectionGuard"/> (singletons).
    /// A host with authentication sets <see cref="EndpointPolicyOptions.AuthenticationEnabled"/> (PostConfigure).
    /// </summary>
    public static IServiceCollection AddEndpointPolicy(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(EndpointPolicy)))
        {
            return services; // bound once: binding again would append the lists' entries a second time
        }

        services.AddOptions<EndpointPolicyOptions>()
            .BindConfiguration(EndpointPolicyOptions.SectionName)
            .Validate(
                o => o.AllowedEndpoints.All(e => EndpointPattern.Parse(e) is not null),
                "Every Security:AllowedEndpoints entry must be of the form scheme://host[:port][/path] ('*' allowed in each part).")
            .ValidateOnStart();
        services.AddSingleton<EndpointPolicy>();
        services.AddSingleton<ConnectionGuard>();
        return services;
    }
}
