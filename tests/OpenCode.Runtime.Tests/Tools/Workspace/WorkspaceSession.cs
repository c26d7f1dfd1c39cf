using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Tests.Tools.Workspace;

/// <summary>A real <see cref="McpClient"/> connected to a session of the in-process workspace server.</summary>
public sealed class WorkspaceSession : IAsyncDisposable
{
    private readonly IAsyncDisposable _transport;

    private WorkspaceSession(McpClient client, IAsyncDisposable transport)
    {
        Client = client;
        _transport = transport;
    }

    public McpClient Client { get; }

    public static async Task<WorkspaceSession> ConnectAsync(WorkspaceServer server)
    {
        var transport = server.CreateTransport(TempWorkspace.Spec);
        var client = await McpClient.CreateAsync(transport);
        return new WorkspaceSession(client, (IAsyncDisposable)transport);
    }

    /// <summary>Calls a tool; the result's text blocks joined, and whether it is an error result.</summary>
    public async Task<(bool IsError, string Text)> CallAsync(string tool, Dictionary<string, object?> arguments)
    {
        var result = await Client.CallToolAsync(tool, arguments);
        return (result.IsError == true, string.Join('\n', result.Content.OfType<TextContentBlock>().Select(b => b.Text)));
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _transport.DisposeAsync();
    }
}
