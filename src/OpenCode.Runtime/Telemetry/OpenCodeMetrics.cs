using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Telemetry;

/// <summary>
/// The server's own instruments, on the meter <see cref="MeterName"/>: turns, tool calls and model tokens. Tags are
/// outcomes, statuses, providers and models, never a tenant, user, agent or conversation: those are unbounded in
/// number and say who did what.
/// </summary>
public sealed class OpenCodeMetrics
{
    public const string MeterName = "OpenCode";

    private readonly Counter<long> _turns;
    private readonly Histogram<double> _turnDuration;
    private readonly Counter<long> _toolCalls;
    private readonly Histogram<double> _toolCallDuration;
    private readonly Counter<long> _tokens;

    public OpenCodeMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _turns = meter.CreateCounter<long>("opencode.turns", "{turn}", "Turns that ended, by outcome (completed, failed, cancelled) and error code.");
        _turnDuration = meter.CreateHistogram<double>("opencode.turn.duration", "s", "How long ended turns ran, time waiting for approvals not counted.");
        _toolCalls = meter.CreateCounter<long>("opencode.tool_calls", "{call}", "Tool calls run, by final status.");
        _toolCallDuration = meter.CreateHistogram<double>("opencode.tool_call.duration", "s", "How long tool calls took, by final status.");
        _tokens = meter.CreateCounter<long>("opencode.model.tokens", "{token}", "Tokens the models reported, by type (input, output), provider and model.");
    }

    /// <summary>A turn ended: completed without <paramref name="error"/>, cancelled, or failed with its error code.</summary>
    public void TurnEnded(TurnError? error, TimeSpan runningTime)
    {
        var tags = error switch
        {
            null => new TagList { { "outcome", "completed" } },
            { Code: ErrorCodes.TurnCancelled } => new TagList { { "outcome", "cancelled" } },
            _ => new TagList { { "outcome", "failed" }, { "error.code", error.Code } },
        };
        _turns.Add(1, tags);
        _turnDuration.Record(runningTime.TotalSeconds, tags);
    }

    public void ToolCallEnded(string status, TimeSpan duration)
    {
        var tags = new TagList { { "status", status } };
        _toolCalls.Add(1, tags);
        _toolCallDuration.Record(duration.TotalSeconds, tags);
    }

    public void TokensUsed(string provider, string model, TokenUsage usage)
    {
        _tokens.Add(usage.PromptTokens, new TagList { { "type", "input" }, { "provider", provider }, { "model", model } });
        _tokens.Add(usage.CompletionTokens, new TagList { { "type", "output" }, { "provider", provider }, { "model", model } });
    }
}
