using Microsoft.AspNetCore.Authentication;

namespace OpenCode.Gateway.Security;

/// <summary>
/// Where scheme options may come from in configuration (the <c>Authentication</c> section, as ASP.NET's own
/// default): registered here because this gateway adds the authentication core without Data Protection.
/// </summary>
public sealed class AuthenticationConfigurationSection(IConfiguration configuration) : IAuthenticationConfigurationProvider
{
    public IConfiguration AuthenticationConfiguration { get; } = configuration.GetSection("Authentication");
}
