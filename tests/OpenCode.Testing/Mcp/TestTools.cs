using System.ComponentModel;
using System.Globalization;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace OpenCode.Testing;

/// <summary>The tools of the test MCP server, the same over stdio, Streamable HTTP, SSE and WebSocket.</summary>
[McpServerToolType]
public sealed class TestTools
{
    /// <summary>The text every <c>fail</c> call reports in its error result.</summary>
    public const string FailMessage = "fail: this tool always fails";

    [McpServerTool(Name = "echo", ReadOnly = true, Idempotent = true), Description("Returns the message unchanged.")]
    public static string Echo([Description("The text to send back.")] string message) => message;

    [McpServerTool(Name = "add", ReadOnly = true, Idempotent = true), Description("Adds two integers and returns the sum as text.")]
    public static string Add([Description("The first addend.")] int a, [Description("The second addend.")] int b) =>
        (a + b).ToString(CultureInfo.InvariantCulture);

    // McpException (rather than any exception) so the SDK puts this message into the isError result
    // instead of a generic one: tests can check that a tool's error text reaches the model.
    [McpServerTool(Name = "fail"), Description("Always fails; the call result has isError set.")]
    public static string Fail() => throw new McpException(FailMessage);

    /// <summary>
    /// The environment variable naming a file to which <c>slow</c> appends a line as each call starts (<c>started</c>) and
    /// as the client cancels it (<c>cancelled</c>): a test reads what the server saw, whichever server process saw it.
    /// </summary>
    public const string CallLogVariable = "TEST_MCP_CALL_LOG";

    [McpServerTool(Name = "slow", ReadOnly = true, Idempotent = true), Description("Waits the given number of milliseconds, then returns \"done\".")]
    public static async Task<string> Slow([Description("How long to wait, in milliseconds.")] int ms, CancellationToken cancellationToken)
    {
        LogCall("started");
        try
        {
            await Task.Delay(ms, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The client sent notifications/cancelled for this call.
            LogCall("cancelled");
            throw;
        }

        return "done";
    }


    [McpServerTool(Name = "env", ReadOnly = true, Idempotent = true), Description("Returns the value of an environment variable of the server process, or an empty text when it is unset.")]
    public static string Env([Description("The variable's name.")] string name) =>
        Environment.GetEnvironmentVariable(name) ?? "";

    private static void LogCall(string line)
    {
        if (Environment.GetEnvironmentVariable(CallLogVariable) is { Length: > 0 } path)
        {
            File.AppendAllText(path, line + "\n");
        }
    }
}
