using OpenCode.Abstractions;

namespace OpenCode.Runtime.Models;

/// <summary>
/// A model as the provider layer sees it: which provider, which model, and optionally where.
/// <paramref name="Provider"/> is one of <see cref="ModelProviders.Known"/> (any case);
/// a <see langword="null"/> <paramref name="Endpoint"/> means the operator's configured or the provider's default endpoint.
/// </summary>
public sealed record ModelEndpoint(string Provider, string Name, string? Endpoint)
{
    public static ModelEndpoint From(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new(config.Provider, config.Name, string.IsNullOrWhiteSpace(config.Endpoint) ? null : config.Endpoint);
    }

    /// <summary>Provider and model name, safe to log or show (no endpoint, which may carry credentials).</summary>
    public override string ToString() => $"{Provider}/{Name}";
}
