using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenCode.Runtime.Privacy;
using OpenCode.Runtime.Tests.Models;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Privacy;

public sealed class PiiMaskingChatClientTests
{
    private const string Personal = "Mail jane@example.com, card 4111 1111 1111 1111, key sk-test-abcdefghijklmnop0123";
    private const string Masked = "Mail [email], card [card], key [secret]";

    [Fact]
    public async Task Text_tool_results_and_string_arguments_are_masked_and_the_callers_messages_kept()
    {
        var inner = new RecordingChatClient();
        using var client = new PiiMaskingChatClient(inner);
        var call = new FunctionCallContent("call-1", "send", new Dictionary<string, object?> { ["to"] = "jane@example.com", ["count"] = 3, ["pin_password"] = 1234 });
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Be brief."),
            new(ChatRole.User, Personal),
            new(ChatRole.Assistant, [new TextContent("Sending."), call]),
            new(ChatRole.Tool, [new FunctionResultContent("call-1", "sent to jane@example.com")]),
        ];

        await client.GetResponseAsync(messages);

        var sent = inner.Received.Single();
        Assert.Same(messages[0], sent[0]);
        Assert.Equal(Masked, sent[1].Text);
        var sentCall = Assert.IsType<FunctionCallContent>(sent[2].Contents[1]);
        Assert.Equal("call-1", sentCall.CallId);
        Assert.Equal("[email]", sentCall.Arguments!["to"]);
        Assert.Equal(3, sentCall.Arguments["count"]);
        Assert.Equal("[secret]", sentCall.Arguments["pin_password"]);
        Assert.Equal("sent to [email]", Assert.IsType<FunctionResultContent>(sent[3].Contents[0]).Result);
        // What the conversation holds is unchanged.
        Assert.Equal(Personal, messages[1].Text);
        Assert.Equal("jane@example.com", call.Arguments!["to"]);
    }

    [Fact]
    public async Task Nested_numeric_and_credential_named_arguments_are_masked_and_their_structure_kept()
    {
        var inner = new RecordingChatClient();
        using var client = new PiiMaskingChatClient(inner);
        // As the history holds them: parsed from the model's JSON, so every value is a JsonElement.
        var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>("""
            { "to": { "email": "jane@example.com", "name": "Jane" }, "cc": ["a@b.com", "team"],
              "card": 4111111111111111, "count": 3, "password": "hunter2", "github_token": 12345678,
              "credentials": { "user": "jane", "key": "abcd" }, "max_tokens": 4096,
              "headers": { "bob@example.com": "owner", "auth": { "api_key": "abcd" } } }
            """)!;
        var call = new FunctionCallContent("call-1", "send", arguments);

        await client.GetResponseAsync([new ChatMessage(ChatRole.Assistant, [call])]);

        var sent = Assert.IsType<FunctionCallContent>(inner.Received.Single().Single().Contents[0]).Arguments!;
        Assert.Equal("""{"email":"[email]","name":"Jane"}""", Json(sent["to"]));
        Assert.Equal("""["[email]","team"]""", Json(sent["cc"]));
        Assert.Equal("[card]", sent["card"]);
        Assert.Equal("3", Json(sent["count"]));
        Assert.Equal("[secret]", sent["password"]);
        Assert.Equal("[secret]", sent["github_token"]);
        Assert.Equal("[secret]", sent["credentials"]);
        Assert.Equal("4096", Json(sent["max_tokens"]));
        Assert.Equal("""{"[email]":"owner","auth":{"api_key":"[secret]"}}""", Json(sent["headers"]));
        // What the conversation holds is unchanged.
        Assert.Equal("jane@example.com", ((JsonElement)call.Arguments!["to"]!).GetProperty("email").GetString());
    }

    [Fact]
    public async Task Streaming_requests_are_masked_too()
    {
        var inner = new RecordingChatClient();
        using var client = new PiiMaskingChatClient(inner);

        await foreach (var _ in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, Personal)]))
        {
        }

        Assert.Equal(Masked, inner.Received.Single().Single().Text);
    }

    [Fact]
    public void Messages_with_nothing_to_mask_pass_through_without_a_copy()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Be brief."),
            new(ChatRole.User, "What changed in version 10.0.15 on 2024-01-15?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call-1", "search", new Dictionary<string, object?> { ["query"] = "release notes" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call-1", "3 fixes, 2 features")]),
        ];

        Assert.Same(messages, PiiMaskingChatClient.Masked(messages));
        Assert.Equal(0, SteadyStateAllocations.PerCall(() => PiiMaskingChatClient.Masked(messages)));
    }

    [Fact]
    public void A_message_masked_when_it_was_mapped_is_not_scanned_again()
    {
        var mapped = MaskedChatMessage.From(new ChatMessage(ChatRole.User, Personal) { AuthorName = "jane" });
        Assert.Equal(Masked, mapped.Text);
        Assert.Equal("jane", mapped.AuthorName);

        // The client trusts the mapping: a history message is scanned once, not at every step of every turn.
        var trusted = new MaskedChatMessage(ChatRole.User, [new TextContent(Personal)]);
        List<ChatMessage> messages = [trusted];
        Assert.Same(messages, PiiMaskingChatClient.Masked(messages));
    }

    [Fact]
    public async Task The_model_server_receives_masked_text_unless_masking_is_off()
    {
        await using var model = await FakeModelServer.StartAsync();
        using (var masking = new ModelTestHost())
        {
            await ModelTestHost.AskAsync(masking.Get("openai", "masked", model.BaseUrl.ToString()), Personal);
        }

        using (var plain = new ModelTestHost(("Privacy:MaskPii", "false")))
        {
            await ModelTestHost.AskAsync(plain.Get("openai", "plain", model.BaseUrl.ToString()), Personal);
        }

        Assert.Equal(Masked, model.Requests.Single(r => r.Model == "masked").LastUserMessage);
        Assert.Equal(Personal, model.Requests.Single(r => r.Model == "plain").LastUserMessage);
    }

    private static string Json(object? value) => JsonSerializer.Serialize(value);

    private sealed class RecordingChatClient : IChatClient
    {
        public List<List<ChatMessage>> Received { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Received.Add([.. messages]);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Received.Add([.. messages]);
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "ok");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
