using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;
using OpenCode.Runtime.Persistence;
using Orleans.Serialization;
using Orleans.Storage;

namespace OpenCode.Runtime.Tests.Persistence;

public sealed class ExactSizeGrainStorageSerializerTests
{
    private static readonly Serializer Serializer = SiloSerializer.Instance;

    private static readonly ExactSizeGrainStorageSerializer Exact = new(Serializer);
    private static readonly OrleansGrainStorageSerializer Orleans = new(Serializer);

    [Fact]
    public void It_writes_what_Orleans_own_serializer_writes_in_an_array_of_the_exact_size()
    {
        var state = Conversation();

        var exact = Exact.Serialize(state).ToMemory();

        Assert.Equal(Orleans.Serialize(state).ToArray(), exact.ToArray());
        Assert.True(MemoryMarshal.TryGetArray(exact, out var segment));
        Assert.Equal(0, segment.Offset);
        Assert.Equal(segment.Array!.Length, segment.Count);
    }

    [Fact]
    public void State_written_by_either_reads_back_with_the_other_shared_references_included()
    {
        var state = Conversation();

        var fromOrleans = Exact.Deserialize<ConversationState>(Orleans.Serialize(state))!;
        var fromExact = Orleans.Deserialize<ConversationState>(Exact.Serialize(state))!;

        Assert.Equal(Exact.Serialize(fromOrleans).ToArray(), Exact.Serialize(fromExact).ToArray());
        foreach (var read in new[] { fromOrleans, fromExact })
        {
            Assert.Equal("hello", read.Head[0].Content);
            Assert.Equal("hi", read.Events[0].Call!.Result);
            // Written once and referenced after: identity survives the round trip.
            Assert.Same(read.Usage, read.Turn!.Usage);
        }
    }

    private static ConversationState Conversation()
    {
        var usage = new TokenUsage(12, 3);
        var call = new ToolCallRecord { Id = "call-1", Name = "web_echo", ArgumentsJson = """{"message":"hi"}""", Result = "hi" };
        return new ConversationState
        {
            AgentId = "agent-1",
            Owner = "local",
            Head =
            [
                new ConversationMessage { Index = 0, Content = "hello", TurnId = "turn-1" },
                new ConversationMessage { Index = 1, Role = MessageRoles.Assistant, ToolCalls = [call], Usage = usage, TurnId = "turn-1" },
            ],
            Events = [new ConversationEvent { Seq = 1, Type = ConversationEventTypes.ToolCallCompleted, TurnId = "turn-1", Call = call }],
            Usage = usage,
            Turn = new ActiveTurn { TurnId = "turn-1", UserMessageIndex = 0, Usage = usage },
            LastSeq = 1,
        };
    }
}
