using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenCode.Runtime.Models;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Security;

/// <summary>
/// Where agent configurations may point the server and which programs they may start, so that an agent author
/// cannot aim the server at internal addresses or run arbitrary programs. Allowed endpoints: the operator's
/// <c>Security:AllowedEndpoints</c>, the configured providers' endpoints and the providers' public ones, and,
/// without authentication (one local user on their own machine), loopback. Wildcard hosts never cover loopback
/// or link-local hosts: those must be named. Allowed commands: any without authentication, else
/// <c>Security:AllowedCommands</c>. Operator-defined MCP servers are trusted and not checked here.
/// </summary>
public sealed class EndpointPolicy
{
    private static readonly string[] WebSchemes = ["http", "https", "ws", "wss"];

    private readonly bool _authenticated;
    private readonly IReadOnlyList<EndpointPattern> _endpoints;
    private readonly IReadOnlyList<Glob> _commands;
    private readonly HashSet<(string Scheme, string Host, int Port)> _providerOrigins;

    public EndpointPolicy(IOptions<EndpointPolicyOptions> options, IConfiguration configuration)
    {
        var settings = options.Value;
        _authenticated = settings.AuthenticationEnabled;
        _endpoints = [.. settings.AllowedEndpoints.Select(e => EndpointPattern.Parse(e)
            ?? throw new InvalidOperationException($"Security:AllowedEndpoints entry '{e}' is not of the form scheme://host[:port][/path]."))];
        _commands = [.. settings.AllowedCommands.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => Glob.ForValues(NormalizeCommand(c.Trim())))];
        _providerOrigins = [.. ProviderEndpoints(configuration).Select(NormalizedUrl.Parse).OfType<NormalizedUrl>().Select(u => (u.Scheme, u.Host.Name, u.Port))];
    }

    /// <summary>Why an agent may not use <paramref name="url"/> (an absolute URL), or null when it may.</summary>
    public string? RefusalFor(string url)
    {
        if (NormalizedUrl.Parse(url) is not { } normalized)
        {
            return $"'{url}' is not an absolute URL with a host";
        }

        return Allows(normalized.Scheme, normalized.Host, normalized.Port, normalized.Path)
            ? null
            : Refusal(normalized.ToString(), normalized.Host.Kind);
    }

    /// <summary>Why an agent may not start <paramref name="command"/>, or null when it may.</summary>
    public string? RefusalForCommand(string command)
    {
        if (!_authenticated)
        {
            return null;
        }

        var normalized = NormalizeCommand(command);
        return _commands.Any(c => c.Matches(normalized))
            ? null
            : $"command '{command}' is not in the operator's allow-list (Security:AllowedCommands)";
    }

    /// <summary>
    /// Whether a connection to <paramref name="address"/>, which <paramref name="host"/> resolved to, may be made.
    /// Names were checked when the configuration was; this catches a name that resolves (or was rebound) to a
    /// loopback or link-local address, which only an entry naming the host or the address allows.
    /// </summary>
    public bool AllowsConnection(string scheme, string host, int port, IPAddress address)
    {
        var resolved = NormalizedHost.Of(address);
        return resolved.Kind == HostKind.Public
            || Allows(scheme, resolved, port, path: null)
            || (NormalizedHost.Parse(host) is { } named && IsNamed(scheme, named, port, path: null));
    }

    private bool Allows(string scheme, NormalizedHost host, int port, string? path)
    {
        if (host.Kind == HostKind.Public)
        {
            return _providerOrigins.Contains((scheme, host.Name, port)) || _endpoints.Any(e => e.Matches(scheme, host, port, path));
        }

        return (host.Kind == HostKind.Loopback && !_authenticated && WebSchemes.Contains(scheme)) || IsNamed(scheme, host, port, path);
    }

    /// <summary>The operator wrote this host out: in a provider's endpoint, or in an entry without a host wildcard.</summary>
    private bool IsNamed(string scheme, NormalizedHost host, int port, string? path) =>
        _providerOrigins.Contains((scheme, host.Name, port)) || _endpoints.Any(e => e.NamesHost && e.Matches(scheme, host, port, path));

    private string Refusal(string url, HostKind kind) => kind switch
    {
        HostKind.Internal => $"{url} is a link-local, metadata or unspecified address; only a Security:AllowedEndpoints entry naming this host allows it",
        HostKind.Loopback => $"{url} is on this machine; with authentication on only a Security:AllowedEndpoints entry naming this host allows it",
        _ => $"{url} is not in the operator's allow-list (Security:AllowedEndpoints)",
    };

    /// <summary>A bare name stays as given (the OS looks it up in PATH); a path is made absolute with '..' resolved.</summary>
    private static string NormalizeCommand(string command) =>
        command.Contains('/') || command.Contains(Path.DirectorySeparatorChar) ? Path.GetFullPath(command) : command;

    /// <summary>What the operator configured for the providers, and the providers' own defaults.</summary>
    private static IEnumerable<string?> ProviderEndpoints(IConfiguration configuration)
    {
        yield return ChatClientFactory.OpenAIDefaultEndpoint.ToString();
        yield return ChatClientFactory.AnthropicDefaultEndpoint.ToString();
        yield return ChatClientFactory.OllamaDefaultEndpoint.ToString();
        foreach (var provider in ModelProviders.Known)
        {
            yield return provider == ModelProviders.Ollama
                ? OllamaHost(configuration[$"Providers:{provider}:Endpoint"])
                : configuration[$"Providers:{provider}:Endpoint"];
        }

        yield return OllamaHost(configuration["OLLAMA_HOST"] ?? Environment.GetEnvironmentVariable("OLLAMA_HOST"));
    }

    private static string? OllamaHost(string? value)
    {
        try
        {
            return ChatClientFactory.ParseOllamaHost(value, "OLLAMA_HOST")?.ToString();
        }
        catch (ArgumentException)
        {
            return null; // the model factory reports it when the endpoint is used
        }
    }
}
