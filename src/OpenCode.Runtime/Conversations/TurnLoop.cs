using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenCode.Abstractions;
using OpenCode.Runtime.Models;
using OpenCode.Runtime.Privacy;
using OpenCode.Runtime.Telemetry;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// The agent loop: fit the context window, call the model, run the tool calls it asks for, and go round again
/// until the model answers without tools, a limit is reached or calls wait for approval. A turn that paused
/// runs through here again once answers arrive: it carries out the answered calls first, then goes on. The
/// user message is checkpointed while the first request is with the model; every model step and every tool
/// result is checkpointed before the next begins; the end of the turn is checkpointed by the conversation.
/// Cancelling the token cancels the turn: the model stream and running tool calls stop, and what the model had
/// written so far is kept as the step's message.
/// </summary>
public sealed partial class TurnLoop(
    ChatClientFactory models,
    AgentTools agentTools,
    ContextWindow contextWindow,
    IGrainFactory grains,
    TimeProvider clock,
    OpenCodeMetrics metrics,
    ILogger<TurnLoop> logger)
{
    /// <summary>What the model reads as the result of a call its server died running: it may or may not have had its effect.</summary>
    public const string InterruptedResult = "Interrupted: the server running this call stopped before its result was recorded. It may or may not have taken effect; it was not run again.";

    /// <summary>Runs the turn from where its <see cref="ActiveTurn"/> stands to its end or its next pause.</summary>
    public async Task<TurnOutcome> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var timeoutSeconds = turn.Agent.Limits?.TurnTimeoutSeconds ?? AgentLimits.DefaultTurnTimeoutSeconds;
        var remaining = TimeSpan.FromSeconds(timeoutSeconds) - turn.Turn.RunningTime;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        var started = clock.GetTimestamp();
        var checkpoint = turn.CheckpointAsync;
        // Every checkpoint carries the running time so far, so a turn resumed after a crash keeps its time limit.
        turn = turn with
        {
            CheckpointAsync = () =>
            {
                turn.Turn.RunningTime += clock.GetElapsedTime(started);
                started = clock.GetTimestamp();
                return checkpoint();
            },
        };
        // The text the model has streamed in the step under way, kept if the turn stops mid-step.
        var partial = new StringBuilder();
        try
        {
            return await RunStepsAsync(turn, partial, timeout.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            StopMidStep(turn, partial, "Cancelled: the turn was cancelled before the tool call finished.");
            return await FailedAsync(turn, new TurnError(ErrorCodes.TurnCancelled, "The turn was cancelled."));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            StopMidStep(turn, partial, "The turn timed out before the tool call finished.");
            return await FailedAsync(turn, LimitExceeded(
                "turnTimeoutSeconds", timeoutSeconds, $"The turn did not finish within its limit of {timeoutSeconds} s (turnTimeoutSeconds)."));
        }
        finally
        {
            // Time spent waiting for an approval is not running time: only the time in here counts.
            turn.Turn.RunningTime += clock.GetElapsedTime(started);
        }
    }

    private async Task<TurnOutcome> RunStepsAsync(TurnContext turn, StringBuilder partial, CancellationToken ct)
    {
        var agent = turn.Agent;
        var limits = agent.Limits;
        var progress = turn.Turn;
        var tools = await agentTools.LoadAsync(turn.AgentKey, agent, turn.Permissions, ct);
        foreach (var problem in tools.Problems)
        {
            LogServerProblem(logger, problem.Server, problem.Error);
        }

        var maxCalls = limits?.MaxToolCallsPerTurn ?? AgentLimits.DefaultMaxToolCallsPerTurn;
        var offered = maxCalls == 0 ? ToolSet.Empty : tools;
        var options = CreateOptions(agent.Model, offered);
        // What every request carries besides the history and the instructions, for fitting the context window.
        var toolSchemas = offered.OfferedSchemaText();
        var maxSteps = limits?.MaxSteps ?? AgentLimits.DefaultMaxSteps;

        if (await ResumeCallsAsync(turn, tools, maxCalls, ct) is { } ended)
        {
            return ended;
        }

        if (!await ApplyAnswersAsync(turn, tools, ct))
        {
            return await PausedAsync(turn);
        }

        // Why the model may not be called again, learnt when the last step's usage was recorded.
        TurnError? stopBeforeNextStep = null;
        while (true)
        {
            if (stopBeforeNextStep is not null)
            {
                return await FailedAsync(turn, stopBeforeNextStep);
            }

            if (progress.Steps >= maxSteps)
            {
                return await FailedAsync(turn, LimitExceeded(
                    "maxSteps", progress.Steps, $"The agent did not finish within its limit of {maxSteps} steps (maxSteps)."));
            }

            var messages = await contextWindow.BuildAsync(agent.Model, agent.Instructions, toolSchemas, turn.History);
            var modelCall = CallModelAsync(turn, messages, options, partial, ct);
            if (progress.Steps == 0)
            {
                // The user message becomes durable while the model works on the request (its write
                // costs no extra latency), and before anything the model answers is recorded or run.
                await turn.CheckpointAsync();
            }

            var (response, error) = await modelCall;
            if (response is null)
            {
                return await FailedAsync(turn, error!);
            }

            var usage = UsageOf(response);
            progress.Usage = progress.Usage.Add(usage);
            progress.Steps++;
            stopBeforeNextStep = await turn.RecordUsageAsync(usage);

            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            var reply = new ConversationMessage
            {
                Index = turn.History.Count,
                Role = MessageRoles.Assistant,
                Content = response.Text,
                ToolCalls = calls.Count == 0 ? null : [.. calls.Select(Pending)],
                Usage = usage,
                CreatedAt = clock.GetUtcNow(),
                TurnId = turn.TurnId,
            };
            turn.History.Append(reply);
            partial.Clear();
            turn.Emit(new ConversationEvent { Type = ConversationEventTypes.MessageCompleted, MessageId = reply.Id, Message = reply });

            var used = progress.Usage.PromptTokens + progress.Usage.CompletionTokens;
            if (limits?.MaxTokensPerTurn is { } budget && used > budget)
            {
                RejectCallsFrom(turn, 0, $"Not run: the turn used {used} tokens, over its limit of {budget}.");
                return await FailedAsync(turn, LimitExceeded(
                    "maxTokensPerTurn", used, $"The turn used {used} tokens, over its limit of {budget} (maxTokensPerTurn)."));
            }

            if (calls.Count == 0)
            {
                return await CompletedAsync(turn);
            }

            await turn.CheckpointAsync();
            if (await RunCallsAsync(turn, tools, 0, maxCalls, ct) is { } stopped)
            {
                return stopped;
            }

            if (!await ApplyAnswersAsync(turn, tools, ct))
            {
                return await PausedAsync(turn);
            }
        }
    }

    /// <summary>
    /// Starts the calls of the newest step from <paramref name="first"/> on, one at a time, each result checkpointed
    /// before the next call starts. Null when every call was started; the outcome when the call limit ended the turn.
    /// </summary>
    private async Task<TurnOutcome?> RunCallsAsync(TurnContext turn, ToolSet tools, int first, int maxCalls, CancellationToken ct)
    {
        var progress = turn.Turn;
        var count = turn.History.Newest!.ToolCalls!.Count;
        for (var i = first; i < count; i++)
        {
            if (progress.ToolCalls >= maxCalls)
            {
                RejectCallsFrom(turn, i, $"Not run: the turn reached its limit of {maxCalls} tool calls.");
                return await FailedAsync(turn, LimitExceeded(
                    "maxToolCallsPerTurn", progress.ToolCalls + 1, $"The model asked for tool call {progress.ToolCalls + 1}, over the turn's limit of {maxCalls} (maxToolCallsPerTurn)."));
            }

            progress.ToolCalls++;
            ReplaceCall(turn, i, await StartCallAsync(turn, tools, i, ct));
            await turn.CheckpointAsync();
        }

        return null;
    }

    /// <summary>
    /// Goes on with a step whose silo died while its calls ran. Calls run one at a time and each result is
    /// checkpointed, so of the calls still marked running only the first may have started: it is reported
    /// interrupted to the model (run again only when its server is idempotent), and the ones after it start now.
    /// </summary>
    private async Task<TurnOutcome?> ResumeCallsAsync(TurnContext turn, ToolSet tools, int maxCalls, CancellationToken ct)
    {
        var step = turn.History.Newest;
        var first = step?.TurnId == turn.TurnId && step.ToolCalls is { } calls
            ? calls.ToList().FindIndex(c => c.Status == ToolCallStatuses.Running)
            : -1;
        if (first < 0)
        {
            return null;
        }

        var cutOff = step!.ToolCalls![first];
        if (tools.Find(cutOff.Name)?.Server.Idempotent != true)
        {
            ReplaceCall(turn, first, cutOff with { Status = ToolCallStatuses.Interrupted, Result = InterruptedResult });
            await turn.CheckpointAsync();
            first++;
        }

        return await RunCallsAsync(turn, tools, first, maxCalls, ct);
    }

    /// <summary>Runs, refuses, or (for <c>ask</c>) files an approval request for call <paramref name="index"/> of the newest step.</summary>
    private async Task<ToolCallRecord> StartCallAsync(TurnContext turn, ToolSet tools, int index, CancellationToken ct)
    {
        var call = turn.History.Newest!.ToolCalls![index];
        if (tools.Find(call.Name) is not { } tool)
        {
            return call with { Status = ToolCallStatuses.Failed, Result = $"There is no tool named '{call.Name}'." };
        }

        var permission = tool.PermissionFor(call.ArgumentsJson);
        // "Always" covers the tool as it was approved, not a definition that changed since.
        if (permission == ToolPermissions.Ask && !tool.Changed && turn.AlwaysAllowed.Contains(call.Name))
        {
            permission = ToolPermissions.Allow;
        }

        switch (permission)
        {
            case ToolPermissions.Deny:
                return call with { Status = ToolCallStatuses.Rejected, Result = $"Refused: the tool permissions deny this call of '{call.Name}'." };
            case ToolPermissions.Ask:
                var now = clock.GetUtcNow();
                var expiry = turn.Agent.Limits?.ApprovalTimeoutSeconds;
                var request = new ApprovalRequest
                {
                    ApprovalId = "appr-" + Guid.NewGuid().ToString("N"),
                    TurnId = turn.TurnId,
                    CallId = call.Id,
                    ToolName = call.Name,
                    ArgumentsJson = call.ArgumentsJson,
                    RequestedAt = now,
                    ExpiresAt = expiry is { } seconds ? now.AddSeconds(seconds) : null,
                };
                turn.Turn.Approvals.Add(new PendingApproval(request, index));
                turn.Emit(new ConversationEvent { Type = ConversationEventTypes.ToolApprovalRequested, Approval = request, Call = call });
                return call with { Status = ToolCallStatuses.WaitingApproval };
            default:
                return await RunToolAsync(turn, tool, call, ct);
        }
    }

    /// <summary>
    /// Carries out the answered approvals of the newest step: an approved call runs (marked running first, so a
    /// crash reports it interrupted rather than running it twice), a rejected or expired one gets a rejection
    /// result. Answers arriving meanwhile are picked up too. True when no call waits any more.
    /// </summary>
    private async Task<bool> ApplyAnswersAsync(TurnContext turn, ToolSet tools, CancellationToken ct)
    {
        while (turn.Turn.Approvals.FirstOrDefault(a => a.Decision is not null) is { } answered)
        {
            turn.Turn.Approvals.Remove(answered);
            var call = turn.History.Newest!.ToolCalls![answered.CallIndex];
            ToolCallRecord result;
            if (!ApprovalDecisions.Runs(answered.Decision!))
            {
                result = call with
                {
                    Status = ToolCallStatuses.Rejected,
                    Result = answered.Decision == ApprovalDecisions.Expired
                        ? "Not run: nobody approved the call before its approval request expired."
                        : "Not run: the user rejected this tool call.",
                };
            }
            else if (tools.Find(call.Name) is not { } tool)
            {
                result = call with { Status = ToolCallStatuses.Failed, Result = $"There is no tool named '{call.Name}' any more." };
            }
            else if (tool.PermissionFor(call.ArgumentsJson) == ToolPermissions.Deny)
            {
                result = call with { Status = ToolCallStatuses.Rejected, Result = $"Refused: the tool permissions deny this call of '{call.Name}'." };
            }
            else
            {
                ReplaceCall(turn, answered.CallIndex, call with { Status = ToolCallStatuses.Running });
                await turn.CheckpointAsync();
                result = await RunToolAsync(turn, tool, call, ct);
            }

            ReplaceCall(turn, answered.CallIndex, result);
            await turn.CheckpointAsync();
        }

        return !turn.Turn.IsWaiting;
    }

    /// <summary>
    /// The primary model, then each fallback in order: a fallback is usually another provider, so any failure
    /// of one (unreachable, an error answer, a rejected key) is a reason to try the next. The first error is
    /// reported. A streamed reply relays each piece of text as a delta as it comes; once some text is out, a
    /// failure is final (another model's answer would not continue it).
    /// </summary>
    private async Task<(ChatResponse? Response, TurnError? Error)> CallModelAsync(
        TurnContext turn, List<ChatMessage> messages, ChatOptions options, StringBuilder partial, CancellationToken ct)
    {
        var model = turn.Agent.Model;
        TurnError? error = null;
        foreach (var candidate in (IEnumerable<ModelConfig>)[model, .. model.Fallbacks ?? []])
        {
            try
            {
                var client = models.Get(ModelEndpoint.From(candidate));
                var candidateOptions = candidate == model ? options : WithModel(options, candidate);
                var response = turn.Streamed()
                    ? await StreamAsync(turn, client, messages, candidateOptions, partial, ct)
                    : await client.GetResponseAsync(messages, candidateOptions, ct);
                metrics.TokensUsed(candidate.Provider, candidate.Name, UsageOf(response));
                return (response, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var failure = ModelFailure.Classify(ex);
                LogModelFailure(logger, candidate.Provider, candidate.Name, failure.Code, failure.Message);
                error ??= new TurnError(failure.Code, failure.Message);
                if (partial.Length > 0)
                {
                    break;
                }
            }
        }

        return (null, error);
    }

    private static async Task<ChatResponse> StreamAsync(
        TurnContext turn, IChatClient client, List<ChatMessage> messages, ChatOptions options, StringBuilder partial, CancellationToken ct)
    {
        // The reply will be the next message of the history: its deltas carry its id.
        var messageId = MessageIds.Format(turn.History.Count);
        // Whatever is kept lives until the reply is complete, and with many replies streaming its survival makes
        // every GC slow. The text goes into `partial`; an update is kept only for what else it carries (tool calls,
        // usage, finish reason), without the provider's own objects (raw JSON, SDK models).
        var kept = new List<ChatResponseUpdate>();
        ChatResponseUpdate? first = null;
        var start = partial.Length;
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, ct))
        {
            update.RawRepresentation = null;
            first ??= update;
            if (update.Text is { Length: > 0 } text)
            {
                partial.Append(text);
                turn.Emit(new ConversationEvent { Type = ConversationEventTypes.MessageDelta, MessageId = messageId, Text = text });
            }

            if (update.FinishReason is not null || update.Contents.Any(c => c is not TextContent))
            {
                update.Contents = [.. update.Contents.Where(c => c is not TextContent)];
                foreach (var content in update.Contents)
                {
                    content.RawRepresentation = null;
                }

                kept.Add(update);
            }
        }

        if (first is not null)
        {
            // The text as one update, first: the reply's text, then its calls.
            kept.Insert(0, new ChatResponseUpdate
            {
                Role = first.Role ?? ChatRole.Assistant,
                Contents = partial.Length > start ? [new TextContent(partial.ToString(start, partial.Length - start))] : [],
                ResponseId = first.ResponseId,
                MessageId = first.MessageId,
                ModelId = first.ModelId,
                CreatedAt = first.CreatedAt,
            });
        }

        return kept.ToChatResponse();
    }

    private async Task<ToolCallRecord> RunToolAsync(TurnContext turn, AgentTool tool, ToolCallRecord call, CancellationToken ct)
    {
        turn.Emit(new ConversationEvent { Type = ConversationEventTypes.ToolCallStarted, Call = call with { Status = ToolCallStatuses.Running } });
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

        var duration = Stopwatch.GetElapsedTime(started);
        var status = result.IsError ? ToolCallStatuses.Failed : ToolCallStatuses.Completed;
        metrics.ToolCallEnded(status, duration);
        return call with
        {
            Status = status,
            Result = ToolResultLimit.Apply(result.Text, turn.Agent.Limits?.MaxToolResultChars ?? AgentLimits.DefaultMaxToolResultChars),
            DurationMs = duration.TotalMilliseconds,
        };
    }

    /// <summary>Call <paramref name="index"/> of the newest step becomes <paramref name="record"/>.</summary>
    private void ReplaceCall(TurnContext turn, int index, ToolCallRecord record)
    {
        var step = turn.History.Newest!;
        turn.History.Replace(step with { ToolCalls = [.. step.ToolCalls!.Select((c, j) => j == index ? record : c)] });
        if (ToolCallStatuses.IsFinal(record.Status))
        {
            turn.Emit(new ConversationEvent { Type = ConversationEventTypes.ToolCallCompleted, Call = record });
        }
    }

    /// <summary>
    /// The turn stops mid-step: calls still running get <paramref name="reason"/>, and the text the model had
    /// streamed becomes the step's message, so what the user saw is in the history.
    /// </summary>
    private void StopMidStep(TurnContext turn, StringBuilder partial, string reason)
    {
        foreach (var call in turn.History.FinishUnfinishedCalls(ToolCallStatuses.Cancelled, reason))
        {
            turn.Emit(new ConversationEvent { Type = ConversationEventTypes.ToolCallCompleted, Call = call });
        }

        if (partial.Length > 0)
        {
            var reply = new ConversationMessage
            {
                Index = turn.History.Count,
                Role = MessageRoles.Assistant,
                Content = partial.ToString(),
                CreatedAt = clock.GetUtcNow(),
                TurnId = turn.TurnId,
            };
            turn.History.Append(reply);
            partial.Clear();
            turn.Emit(new ConversationEvent { Type = ConversationEventTypes.MessageCompleted, MessageId = reply.Id, Message = reply });
        }
    }

    /// <summary>Calls of the newest step from <paramref name="index"/> on are not run.</summary>
    private void RejectCallsFrom(TurnContext turn, int index, string reason)
    {
        var calls = turn.History.Newest!.ToolCalls ?? [];
        for (var i = index; i < calls.Count; i++)
        {
            ReplaceCall(turn, i, calls[i] with { Status = ToolCallStatuses.Rejected, Result = reason });
        }
    }

    /// <summary>The reply is the newest step, with every tool call of the turn and the turn's usage.</summary>
    public static TurnOutcome Completed(string turnId, ConversationMessage userMessage, IReadOnlyList<ConversationMessage> steps, TokenUsage usage)
    {
        var calls = steps.SelectMany(m => m.ToolCalls ?? []).ToList();
        var reply = steps[^1] with { ToolCalls = calls.Count == 0 ? null : calls, Usage = usage };
        return new TurnOutcome { TurnId = turnId, UserMessage = userMessage, Reply = reply };
    }

    private static async Task<TurnOutcome> CompletedAsync(TurnContext turn)
    {
        var (userMessage, steps) = await TurnMessagesAsync(turn);
        return Completed(turn.TurnId, userMessage, steps, turn.Turn.Usage);
    }

    private async Task<TurnOutcome> FailedAsync(TurnContext turn, TurnError error) =>
        new() { TurnId = turn.TurnId, UserMessage = (await TurnMessagesAsync(turn)).User, Error = error };

    private async Task<TurnOutcome> PausedAsync(TurnContext turn) => new()
    {
        TurnId = turn.TurnId,
        UserMessage = (await TurnMessagesAsync(turn)).User,
        Approvals = [.. turn.Turn.Unanswered.Select(a => a.Request)],
    };

    private static Task<(ConversationMessage User, IReadOnlyList<ConversationMessage> Steps)> TurnMessagesAsync(TurnContext turn) =>
        turn.History.ReadTurnAsync(turn.Turn.UserMessageIndex, turn.TurnId);

    private static TurnError LimitExceeded(string limit, long reached, string message) =>
        new(ErrorCodes.LimitExceeded, message, limit, reached);

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
    private static partial void LogServerProblem(ILogger logger, string server, [Pii] string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Provider}/{Model} failed ({Code}): {Error}")]
    private static partial void LogModelFailure(ILogger logger, string provider, string model, string code, [Pii] string error);
}
