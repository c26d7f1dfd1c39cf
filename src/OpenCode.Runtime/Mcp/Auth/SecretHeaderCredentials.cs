namespace OpenCode.Runtime.Mcp.Auth;

/// <summary>A configured secret sent as a header: <c>Authorization: Bearer &lt;token&gt;</c> or an API key header.</summary>
internal sealed class SecretHeaderCredentials(string header, string prefix, string secretRef, ConfiguredSecrets secrets) : McpCredentials
{
    public override ValueTask<AuthHeader> GetHeaderAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new AuthHeader(header, prefix + secrets.Resolve(secretRef)));
}
