using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace OpenCode.Runtime.Tools.Workspace;

/// <summary>
/// A call-tool filter that answers a call lacking a required argument with an error result naming it. The SDK
/// itself reports any argument-binding failure as a bare "An error occurred invoking '…'." that does not tell
/// the model what to fix.
/// </summary>
internal static class MissingArguments
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (request, cancellationToken) =>
            request.MatchedPrimitive is McpServerTool tool && FirstMissing(tool.ProtocolTool.InputSchema, request.Params?.Arguments) is { } missing
                ? ValueTask.FromResult(new CallToolResult
                {
                    IsError = true,
                    Content = [new TextContentBlock { Text = $"Tool '{tool.ProtocolTool.Name}' needs the argument '{missing}'." }],
                })
                : next(request, cancellationToken);

    private static string? FirstMissing(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        if (!schema.TryGetProperty("required", out var required) || required.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var name in required.EnumerateArray())
        {
            if (name.GetString() is { } property && (arguments is null || !arguments.TryGetValue(property, out var value) || value.ValueKind == JsonValueKind.Null))
            {
                return property;
            }
        }

        return null;
    }
}
