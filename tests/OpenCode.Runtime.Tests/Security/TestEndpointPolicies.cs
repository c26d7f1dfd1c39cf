using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenCode.Runtime.Security;

namespace OpenCode.Runtime.Tests.Security;

/// <summary>Endpoint policies for tests: without authentication and lists (the local default) unless told otherwise.</summary>
internal static class TestEndpointPolicies
{
    public static EndpointPolicy Create(
        bool authenticated = false, string[]? endpoints = null, string[]? commands = null, IConfiguration? configuration = null) =>
        new(
            Options.Create(new EndpointPolicyOptions
            {
                AuthenticationEnabled = authenticated,
                AllowedEndpoints = endpoints ?? [],
                AllowedCommands = commands ?? [],
            }),
            configuration ?? new ConfigurationBuilder().Build());

    public static EndpointPolicy Create(IConfiguration configuration) => Create(configuration: configuration, authenticated: false);
}
