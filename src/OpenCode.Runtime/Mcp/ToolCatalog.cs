using Microsoft.Extensions.Logging;
using OpenCode.Abstractions;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Mcp;

/// <summary>
/// The tools of a set of MCP servers, each listed by its <see cref="IMcpConnectionGrain"/> on this silo, in
/// parallel. A server that cannot be listed becomes an entry in <see cref="ToolCatalogResult.Errors"/>; the
/// other servers' tools are still returned. Tools are named <c>{server}_{tool}</c>, so two servers offering the
/// same tool never shadow each other.
/// </summary>
public sealed partial class ToolCatalog(IGrainFactory grainFactory, ILogger<ToolCatalog> logger)
{
    public async Task<ToolCatalogResult> LoadAsync(IReadOnlyList<McpServerSpec> servers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count == 0)
        {
            return ToolCatalogResult.Empty;
        }

        var distinct = servers.DistinctBy(s => s.Key).ToList();
        var listings = await Task.WhenAll(distinct.Select(s => ListAsync(s, cancellationToken)));

        var tools = new List<McpToolInfo>();
        var errors = new List<McpServerError>();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (serverTools, error) in listings)
        {
            if (error is not null)
            {
                errors.Add(error);
                continue;
            }

            List<string>? clashes = null;
            foreach (var tool in serverTools!)
            {
                if (owners.TryAdd(tool.QualifiedName, tool.Server))
                {
                    tools.Add(tool);
                }
                else
                {
                    (clashes ??= []).Add($"{tool.QualifiedName} (taken by server '{owners[tool.QualifiedName]}')");
                }
            }

            if (clashes is not null)
            {
                var server = serverTools[0].Server;
                errors.Add(new McpServerError(
                    server, $"Tools of MCP server '{server}' are left out because their names are already taken: {string.Join(", ", clashes)}."));
            }
        }

        return new ToolCatalogResult(tools, errors);
    }

    private async Task<(IReadOnlyList<McpToolInfo>? Tools, McpServerError? Error)> ListAsync(McpServerSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            var tools = await grainFactory.GetGrain<IMcpConnectionGrain>(spec.Key).ListToolsAsync(spec, cancellationToken);
            return (tools, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            LogListFailed(spec.Name, exception.Message);
            var message = exception is McpServerUnavailableException
                ? exception.Message
                : $"The tools of MCP server '{spec.Name}' could not be listed: {exception.Message}";
            return (null, new McpServerError(spec.Name, message));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing the tools of MCP server {Server} failed: {Reason}")]
    private partial void LogListFailed(string server, [Pii] string reason);
}
