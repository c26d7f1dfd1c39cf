namespace OpenCode.Gateway.Hosting;

public static class ConfigurationExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:8000";

    /// <summary>
    /// The requirements' environment variables next to ASP.NET's own: <c>OPENCODE__Section__Key</c>,
    /// <c>LOG_LEVEL</c>, and by default the embedded profile's address http://127.0.0.1:8000.
    /// </summary>
    public static WebApplicationBuilder AddOpenCodeConfiguration(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddEnvironmentVariables(prefix: "OPENCODE__");
        if (builder.Configuration["LOG_LEVEL"] is { Length: > 0 } level)
        {
            builder.Logging.SetMinimumLevel(ParseLevel(level));
        }

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return builder;
    }

    private static LogLevel ParseLevel(string level) => level.ToLowerInvariant() switch
    {
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "fatal" => LogLevel.Critical,
        _ when Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) => parsed,
        _ => throw new InvalidOperationException($"LOG_LEVEL '{level}' is not a log level (trace, debug, info, warn, error, fatal, none)."),
    };
}
