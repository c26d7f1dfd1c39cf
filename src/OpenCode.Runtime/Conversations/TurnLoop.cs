using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenCode.Abstractions;
using OpenCode.Runtime.Models;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// The agent loop: fit the context window, call the model, run the tool calls it asks for, and go
/// round again until the model answers without tools or the step limit is reached. The user message is
/// checkpointed while the first request is with the model; every model step and every tool result is
/// checkpointed before the next begins; the final step is checkpointed by the conversation with the end of the turn.
/// </summary>
public sealed partial class TurnLoop(
    ChatClientFactory models,
    AgentTools agentTools,
    ContextWindow contextWindow,
    TokenCounter tokens,
    IGrainFactory grains,
    TimeProvider clock,
    ILogger<TurnLoop> logger)
{
    public async Task<TurnOutcome> RunAsync(TurnContext turn, ConversationMessage userMessage, CancellationToken cancellationToken)
    {
        var agent = turn.Agent;
        var limits = agent.Limits;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(limits?.TurnTimeoutSeconds ?? AgentLimits.DefaultTurnTimeoutSeconds));
        var ct = timeout.Token;

        var outcome = new TurnOutcome { TurnId = turn.TurnId, UserMessage = userMessage };
        var turnUsage = TokenUsage.Zero;
        var turnCalls = new List<ToolCallRecord>();
        try
        {
            var tools = await agentTools.LoadAsync(agent, ct);
            foreach (var problem in tools.Problems)
            {
                LogServerProblem(logger, problem.Server, problem.Error);
            }

            var maxCalls = limits?.MaxToolCallsPerTurn ?? AgentLimits.DefaultMaxToolCallsPerTurn;
            var offered = maxCalls == 0 ? ToolSet.Empty : tools;
            var options = CreateOptions(agent.Model, offered);
            // What every request carries besides the history: instructions and tool schemas.
            var fixedTokens = tokens.Count(agent.Instructions) + tokens.Count(offered.OfferedSchemaText());
            var maxSteps = limits?.MaxSteps ?? AgentLimits.DefaultMaxSteps;

            for (var step = 1; step <= maxSteps; step++)
            {
                var messages = await contextWindow.BuildAsync(agent.Model, agent.Instructions, fixedTokens, turn.History);
                var modelCall = CallModelAsync(agent.Model, messages, options, ct);
                if (step == 1)
                {
                    // The user message becomes durable while the model works on the request (its write
                    // costs no extra latency), and before anything the model answers is recorded or run.
                    await turn.CheckpointAsync();
                }

                var (response, error) = await modelCall;
                if (response is null)
                {
                    return outcome with { Error = error };
                }

                var usage = UsageOf(response);
                turnUsage = turnUsage.Add(usage);
                turn.RecordUsage(usage);

                var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
                var reply = tokens.Counted(new ConversationMessage
                {
                    Index = turn.History.Count,
                    Role = MessageRoles.Assistant,
                    Content = response.Text,
                    ToolCalls = calls.Count == 0 ? null : [.. calls.Select(Pending)],
                    Usage = usage,
                    CreatedAt = clock.GetUtcNow(),
                    TurnId = turn.TurnId,
                });
                turn.History.Append(reply);
                if (calls.Count == 0)
                {
                    // The final step is checkpointed by the grain together with the end of the turn.
                    return outcome with { Reply = reply with { ToolCalls = turnCalls.Count == 0 ? null : turnCalls, Usage = turnUsage } };
                }

                await turn.CheckpointAsync();

                for (var i = 0; i < calls.Count; i++)
                {
                    var record = turnCalls.Count >= maxCalls
                        ? reply.ToolCalls![i] with { Status = ToolCallStatuses.Rejected, Result = $"The limit of {maxCalls} tool calls per turn was reached." }
                        : await RunToolAsync(tools, reply.ToolCalls![i], ct);
                    turnCalls.Add(record);
                    reply = tokens.Counted(reply with { ToolCalls = [.. reply.ToolCalls!.Select((c, j) => j == i ? record : c)] });
                    turn.History.Replace(reply);
                    await turn.CheckpointAsync();
                }
            }

            return outcome with { Error = new TurnError(ErrorCodes.MaxStepsExceeded, $"The agent did not finish within {maxSteps} steps.") };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            turn.History.FinishUnfinishedCalls(ToolCallStatuses.Cancelled, "The turn timed out before the tool call finished.");
            return outcome with { Error = new TurnError(ErrorCodes.TurnTimeout, $"The turn did not finish within {limits?.TurnTimeoutSeconds ?? AgentLimits.DefaultTurnTimeoutSeconds} seconds.") };
        }
    }

    /// <summary>
    /// The primary model, then each fallback in order: a fallback is usually another provider, so any failure
    /// of one (unreachable, an error answer, a rejected key) is a reason to try the next. The first error is reported.
    /// </summary>
    private async Task<(ChatResponse? Response, TurnError? Error)> CallModelAsync(
        ModelConfig model, List<ChatMessage> messages, ChatOptions options, CancellationToken ct)
    {
        TurnError? error = null;
        foreach (var candidate in (IEnumerable<ModelConfig>)[model, .. model.Fallbacks ?? []])
        {
            try
            {
                var client = models.Get(ModelEndpoint.From(candidate));
                var response = await client.GetResponseAsync(messages, candidate == model ? options : WithModel(options, candidate), ct);
                return (response, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var failure = ModelFailure.Classify(ex);
                LogModelFailure(logger, candidate.Provider, candidate.Name, failure.Code, failure.Message);
                error ??= new TurnError(failure.Code, failure.Message);
            }
        }

        return (null, error);
    }

    private async Task<ToolCallRecord> RunToolAsync(ToolSet tools, ToolCallRecord call, CancellationToken ct)
    {
        var tool = tools.Find(call.Name);
        if (tool is null)
        {
            return call with { Status = ToolCallStatuses.Failed, Result = $"There is no tool named '{call.Name}'." };
        }

        if (tool.Permission != ToolPermissions.Allow)
        {
            return call with { Status = ToolCallStatuses.Rejected, Result = $"The agent's permissions do not allow '{call.Name}' ({tool.Permission})." };
        }

        var started = Stopwatch.GetTimestamp();
        McpToolResult result;
        try
        {
            result = await grains.GetGrain<IMcpConnectionGrain>(tool.Server.Key)
                .CallToolAsync(tool.Server, tool.Info.Name, call.ArgumentsJson, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The connection grain turns tool failures into results; this is the call to it failing.
            result = new McpToolResult(true, $"The tool could not be called: {ex.Message}");
        }

        return call with
        {
            Status = result.IsError ? ToolCallStatuses.Failed : ToolCallStatuses.Completed,
            Result = result.Text,
            DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
    }

    private static ChatOptions CreateOptions(ModelConfig model, ToolSet tools) => new()
    {
        ModelId = model.Name,
        Temperature = (float?)model.Temperature,
        MaxOutputTokens = model.MaxTokens,
        Tools = tools.Offered.Count == 0 ? null : [.. tools.Offered],
    };

    private static ChatOptions WithModel(ChatOptions options, ModelConfig model)
    {
        var copy = options.Clone();
        copy.ModelId = model.Name;
        copy.Temperature = (float?)model.Temperature ?? options.Temperature;
        copy.MaxOutputTokens = model.MaxTokens ?? options.MaxOutputTokens;
        return copy;
    }

    private static ToolCallRecord Pending(FunctionCallContent call) => new()
    {
        Id = call.CallId,
        Name = call.Name,
        ArgumentsJson = call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments),
        Status = ToolCallStatuses.Running,
    };

    private static TokenUsage UsageOf(ChatResponse response) =>
        new(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} is unavailable: {Error}")]
    private static partial void LogServerProblem(ILogger logger, string server, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Provider}/{Model} failed ({Code}): {Error}")]
    private static partial void LogModelFailure(ILogger logger, string provider, string model, string code, string error);
}
