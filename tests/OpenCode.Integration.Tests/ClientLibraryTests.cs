using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenCode.Abstractions;
using OpenCode.Client;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests;

/// <summary>An internal service in its own process uses the grain client library against a running gateway.</summary>
public sealed class ClientLibraryTests
{
    [Fact]
    public async Task A_service_creates_an_agent_and_converses_through_the_client_library()
    {
        await using var model = await FakeModelServer.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.AddOpenCodeClient(o => o.GatewayPort = gateway.OrleansGatewayPort);
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<OpenCodeClient>();

        var agent = await client.Agents.CreateAsync(new AgentConfig
        {
            Name = "From a service",
            Model = new ModelConfig { Provider = "openai", Name = "svc-model", Endpoint = model.BaseUrl.ToString() },
        });
        var conversation = await client.Conversations.CreateAsync(agent.Id);
        var outcome = await client.Conversations.SendAsync(conversation.Id, "hello from a service");

        Assert.True(outcome.Succeeded, outcome.Error?.Message);
        Assert.Equal("echo: hello from a service", outcome.Reply!.Content);
        var history = await client.Conversations.GetMessagesAsync(conversation.Id);
        Assert.Equal(["hello from a service", "echo: hello from a service"], history.Messages.Select(m => m.Content));
        Assert.Contains(await client.Agents.ListAsync(), a => a.Id == agent.Id);
        Assert.Contains((await client.Conversations.ListAsync()).Conversations, c => c.Id == conversation.Id);
        // The same data is what the HTTP API shows.
        var overHttp = await gateway.Client.GetStringAsync($"/conversations/{conversation.Id}");
        Assert.Contains("\"messageCount\":2", overHttp, StringComparison.Ordinal);

        await host.StopAsync();
    }

    [Fact]
    public async Task Invalid_configurations_are_refused_with_the_fields_named()
    {
        await using var gateway = await GatewayProcess.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.AddOpenCodeClient(o => o.GatewayPort = gateway.OrleansGatewayPort);
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<OpenCodeClient>();

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => client.Agents.CreateAsync(new AgentConfig
        {
            Name = "bad",
            Model = new ModelConfig { Provider = "nope", Name = "m", Temperature = 9 },
        }));

        Assert.Equal(ErrorCodes.ValidationFailed, error.Code);
        Assert.Contains(error.Errors, e => e.Field == "model.provider");
        Assert.Contains(error.Errors, e => e.Field == "model.temperature");
        await host.StopAsync();
    }
}
