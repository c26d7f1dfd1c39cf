using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime;

public static class PrivacyHostBuilderExtensions
{
    /// <summary>The SDK's categories: its Trace lines carry whole JSON-RPC messages (tool arguments and results), unclassified.</summary>
    private const string McpCategory = "ModelContextProtocol";

    /// <summary>
    /// Redaction in logs, whatever <c>Privacy:MaskPii</c> says: log parameters marked <see cref="PiiAttribute"/>
    /// are written with personal data and secrets masked, those marked <see cref="SecretAttribute"/> (and any other
    /// classification) as nothing; the MCP SDK logs at Debug at most. Masking what is sent to models is wired by
    /// the model providers (<see cref="PiiMaskingChatClient"/>).
    /// </summary>
    public static IHostApplicationBuilder AddOpenCodePrivacy(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRedaction(redaction => redaction
            .SetRedactor<PiiRedactor>(new DataClassificationSet(OpenCodeData.Pii))
            .SetRedactor<ErasingRedactor>(new DataClassificationSet(OpenCodeData.Secret))
            .SetFallbackRedactor<ErasingRedactor>());
        // The discriminator (the parameter's name appended to each value) is for hashing redactors; these mask text.
        builder.Logging.EnableRedaction(options => options.ApplyDiscriminator = false);
        builder.Services.PostConfigure<LoggerFilterOptions>(CapMcpAtDebug);
        return builder;
    }

    /// <summary>
    /// Wherever the configured level of the MCP SDK's categories is Trace (by a rule of their own, a broader rule, or
    /// the minimum level), it becomes Debug. Rule selection prefers a provider's own rules, then the longest category
    /// prefix, then the later rule: a capping rule is added per provider whose best rule says Trace.
    /// </summary>
    private static void CapMcpAtDebug(LoggerFilterOptions options)
    {
        var rules = options.Rules;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (rule.LogLevel == LogLevel.Trace && rule.CategoryName?.StartsWith(McpCategory, StringComparison.OrdinalIgnoreCase) == true)
            {
                rules[i] = new LoggerFilterRule(rule.ProviderName, rule.CategoryName, LogLevel.Debug, rule.Filter);
            }
        }

        foreach (var provider in rules.Select(r => r.ProviderName).Append(null).Distinct(StringComparer.OrdinalIgnoreCase).ToList())
        {
            LoggerFilterRule? best = null;
            foreach (var rule in rules)
            {
                if (string.Equals(rule.ProviderName, provider, StringComparison.OrdinalIgnoreCase)
                    && (rule.CategoryName is null || McpCategory.StartsWith(rule.CategoryName, StringComparison.OrdinalIgnoreCase))
                    && (rule.CategoryName?.Length ?? 0) >= (best?.CategoryName?.Length ?? 0))
                {
                    best = rule;
                }
            }

            // A provider without rules of its own follows the rules without a provider.
            var level = best is not null ? best.LogLevel : provider is null ? options.MinLevel : null;
            if (level == LogLevel.Trace)
            {
                rules.Add(new LoggerFilterRule(provider, McpCategory, LogLevel.Debug, null));
            }
        }
    }
}
