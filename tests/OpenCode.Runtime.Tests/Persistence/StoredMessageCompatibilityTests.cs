using Microsoft.Extensions.DependencyInjection;
using OpenCode.Abstractions;
using Orleans.Serialization;

namespace OpenCode.Runtime.Tests.Persistence;

/// <summary>A message as it was stored while each one carried its token count (field 7).</summary>
[GenerateSerializer]
public sealed record MessageWithTokenCount
{
    [Id(0)] public long Index { get; init; }
    [Id(1)] public string Role { get; init; } = MessageRoles.User;
    [Id(2)] public string Content { get; init; } = "";
    [Id(3)] public IReadOnlyList<ToolCallRecord>? ToolCalls { get; init; }
    [Id(4)] public TokenUsage? Usage { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public string? TurnId { get; init; }
    [Id(7)] public int TokenCount { get; init; }
}

public sealed class StoredMessageCompatibilityTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(ConversationMessage).Assembly).AddAssembly(typeof(MessageWithTokenCount).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    [Fact]
    public void A_message_stored_with_its_token_count_reads_back_whole()
    {
        var createdAt = new DateTimeOffset(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);
        var stored = Serializer.SerializeToArray(new MessageWithTokenCount
        {
            Index = 7,
            Role = MessageRoles.Assistant,
            Content = "Sunny, 23 °C.",
            ToolCalls = [new ToolCallRecord { Id = "call-1", Name = "weather_lookup", Result = "sunny" }],
            Usage = new TokenUsage(120, 9),
            CreatedAt = createdAt,
            TurnId = "turn-3",
            TokenCount = 31,
        });

        var read = Serializer.Deserialize<ConversationMessage>(stored)!;

        Assert.Equal(7, read.Index);
        Assert.Equal(MessageRoles.Assistant, read.Role);
        Assert.Equal("Sunny, 23 °C.", read.Content);
        Assert.Equal("sunny", Assert.Single(read.ToolCalls!).Result);
        Assert.Equal(new TokenUsage(120, 9), read.Usage);
        Assert.Equal(createdAt, read.CreatedAt);
        Assert.Equal("turn-3", read.TurnId);
    }
}
