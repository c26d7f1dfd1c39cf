using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>A turn waiting for approval is durable: a new gateway process on the same data finds it and finishes it.</summary>
public sealed class ApprovalRestartTests
{
    [Fact]
    public async Task Pending_approvals_survive_a_gateway_restart_and_expire_even_while_it_was_down()
    {
        await using var model = await FakeModelServer.StartAsync();
        await using var mcp = await TestMcpHttpServer.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("opencode-approvals-").FullName;
        string patient, hasty, patientApproval, hastyApproval;
        await using (var first = await GatewayProcess.StartAsync(dataDir))
        {
            await CreateAgentAsync(first, "patient", model, mcp, limits: null);
            await CreateAgentAsync(first, "hasty", model, mcp, limits: """{ "approvalTimeoutSeconds": 2 }""");
            model.Script("model-patient", FakeReply.ToolCall("web_add", """{"a":40,"b":2}"""), FakeReply.Text("forty-two, after the restart"));
            model.Script("model-hasty", FakeReply.ToolCall("web_add", """{"a":1,"b":1}"""), FakeReply.Text("it expired"));

            patient = await CreateConversationAsync(first, "patient");
            Assert.Equal(HttpStatusCode.OK, (await first.Client.PatchAsync($"/conversations/{patient}", Json("""{ "permissions": { "web_echo": "deny" } }"""))).StatusCode);
            patientApproval = await PauseAsync(first, patient);
            hasty = await CreateConversationAsync(first, "hasty");
            hastyApproval = await PauseAsync(first, hasty);

            await first.StopAsync(TimeSpan.FromSeconds(20));
        }

        // The hasty approval's expiry passes while no gateway runs.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await using var second = await GatewayProcess.StartAsync(dataDir);

        var info = await ReadAsync(await second.Client.GetAsync($"/conversations/{patient}"));
        Assert.Equal("waiting_approval", (string?)info["status"]);
        Assert.Equal("deny", (string?)info["permissions"]!["web_echo"]);
        var listed = (await ReadAsync(await second.Client.GetAsync($"/conversations/{patient}/approvals")))["approvals"]!.AsArray();
        Assert.Equal(patientApproval, (string?)listed.Single()!["approvalId"]);

        var answered = await second.Client.PostAsJsonAsync($"/conversations/{patient}/approvals/{patientApproval}", new { decision = "once" });

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var reply = await ReadAsync(answered);
        Assert.Equal("forty-two, after the restart", (string?)reply["content"]);
        Assert.Equal("42", (string?)reply["toolCalls"]![0]!["result"]);
        var history = (await ReadAsync(await second.Client.GetAsync($"/conversations/{patient}/messages")))["messages"]!.AsArray();
        Assert.Equal("forty-two, after the restart", (string?)history[^1]!["content"]);
        Assert.Equal("idle", (string?)(await ReadAsync(await second.Client.GetAsync($"/conversations/{patient}")))["status"]);

        // Asked after the restart, the expired request is gone and the turn finishes with the call rejected.
        Assert.Empty((await ReadAsync(await second.Client.GetAsync($"/conversations/{hasty}/approvals")))["approvals"]!.AsArray());
        var hastyHistory = await WaitForReplyAsync(second, hasty, "it expired");
        Assert.Equal("rejected", (string?)hastyHistory[^2]!["toolCalls"]![0]!["status"]);
        await AssertProblemAsync(
            await second.Client.PostAsJsonAsync($"/conversations/{hasty}/approvals/{hastyApproval}", new { decision = "once" }),
            HttpStatusCode.Conflict, "approval_already_answered");
    }

    private static async Task CreateAgentAsync(GatewayProcess gateway, string id, FakeModelServer model, TestMcpHttpServer mcp, string? limits)
    {
        var body = JsonNode.Parse($$"""
            { "id": "{{id}}", "name": "{{id}}", "model": { "provider": "openai", "name": "model-{{id}}", "endpoint": "{{model.BaseUrl}}" },
              "mcp": { "servers": [ { "name": "web", "url": "{{mcp.StreamableHttpUrl}}" } ] },
              "permissions": { "web_add": "ask" } }
            """)!.AsObject();
        if (limits is not null)
        {
            body["limits"] = JsonNode.Parse(limits);
        }

        Assert.Equal(HttpStatusCode.Created, (await gateway.Client.PostAsJsonAsync("/agents", body)).StatusCode);
    }

    private static async Task<string> CreateConversationAsync(GatewayProcess gateway, string agentId) =>
        (string)(await ReadAsync(await gateway.Client.PostAsJsonAsync("/conversations", new { agentId })))["id"]!;

    private static async Task<string> PauseAsync(GatewayProcess gateway, string conversation)
    {
        var paused = await gateway.Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "add" });
        Assert.Equal(HttpStatusCode.Accepted, paused.StatusCode);
        return (string)(await ReadAsync(paused))["approvals"]![0]!["approvalId"]!;
    }

    private static async Task<JsonArray> WaitForReplyAsync(GatewayProcess gateway, string conversation, string content)
    {
        for (var i = 0; i < 100; i++)
        {
            var history = (await ReadAsync(await gateway.Client.GetAsync($"/conversations/{conversation}/messages")))["messages"]!.AsArray();
            if ((string?)history[^1]!["content"] == content)
            {
                return history;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"conversation {conversation} never got the reply '{content}'");
        return null!;
    }
}
