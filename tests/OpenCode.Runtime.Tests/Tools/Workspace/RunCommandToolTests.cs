using System.Diagnostics;
using System.Runtime.Versioning;

namespace OpenCode.Runtime.Tests.Tools.Workspace;

/// <summary><c>run_command</c> through a real MCP client, running real processes (sh, echo, sleep; /proc to check the kill).</summary>
[UnsupportedOSPlatform("windows")]
public sealed class RunCommandToolTests : IAsyncLifetime
{
    private readonly TempWorkspace _workspace = new();
    private WorkspaceSession _session = null!;

    public async Task InitializeAsync() =>
        _session = await WorkspaceSession.ConnectAsync(_workspace.Server(_workspace.Options(codeExecution: true, maxOutputBytes: 100)));

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        _workspace.Dispose();
    }

    [Fact]
    public async Task The_tool_is_offered_when_code_execution_is_on()
    {
        var tools = await _session.Client.ListToolsAsync();

        var run = tools.Single(t => t.Name == "run_command").ProtocolTool;
        Assert.Equal(["command"], run.InputSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.True(run.Annotations?.DestructiveHint);
    }

    [Fact]
    public async Task A_command_runs_in_the_working_directory_and_reports_exit_code_stdout_and_stderr()
    {
        Directory.CreateDirectory(_workspace.PathOf("sub"));

        var (isError, text) = await _session.CallAsync("run_command", new()
        {
            ["command"] = "sh",
            ["args"] = new[] { "-c", "pwd; echo oops >&2; exit 3" },
            ["workingDirectory"] = "sub",
        });

        Assert.False(isError);
        Assert.Matches(@"^Exit code 3 after [0-9.]+ s\.\n--- stdout ---\n" + System.Text.RegularExpressions.Regex.Escape(_workspace.PathOf("sub")) + "\n\n--- stderr ---\noops\n$", text);
    }

    [Fact]
    public async Task Arguments_are_passed_as_they_are_without_a_shell()
    {
        var (_, text) = await _session.CallAsync("run_command", new() { ["command"] = "echo", ["args"] = new[] { "$HOME", "a b", "*" } });

        Assert.Contains("--- stdout ---\n$HOME a b *\n", text);
    }

    [Fact]
    public async Task A_relative_program_path_starts_from_the_working_directory()
    {
        var script = _workspace.Write("tools/hello.sh", "#!/bin/sh\necho hello from the script\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (isError, text) = await _session.CallAsync("run_command", new() { ["command"] = "./hello.sh", ["workingDirectory"] = "tools" });

        Assert.False(isError, text);
        Assert.Contains("hello from the script", text);
    }

    [Fact]
    public async Task A_working_directory_outside_the_workspace_is_refused()
    {
        var dotDot = await _session.CallAsync("run_command", new() { ["command"] = "ls", ["workingDirectory"] = "../outside" });
        _workspace.Link("out", _workspace.Outside);
        var link = await _session.CallAsync("run_command", new() { ["command"] = "ls", ["workingDirectory"] = "out" });

        Assert.True(dotDot.IsError);
        Assert.Contains("is outside the workspace", dotDot.Text);
        Assert.True(link.IsError);
        Assert.Contains("leads through a symbolic link to a place outside the workspace", link.Text);
    }

    [Fact]
    public async Task A_program_that_does_not_exist_is_an_error_result()
    {
        var (isError, text) = await _session.CallAsync("run_command", new() { ["command"] = "opencode-no-such-program" });

        Assert.True(isError);
        Assert.Contains("Cannot start 'opencode-no-such-program'", text);
    }

    [Fact]
    public async Task Output_over_the_cap_is_cut_with_a_note()
    {
        var (isError, text) = await _session.CallAsync("run_command", new() { ["command"] = "sh", ["args"] = new[] { "-c", "head -c 5000 /dev/zero | tr '\\0' x" } });

        Assert.False(isError);
        Assert.Contains("--- stdout ---\n" + new string('x', 100) + "\n[stdout truncated: 5000 bytes, only the first 100 are shown]", text);
    }

    [Fact]
    public async Task The_process_does_not_get_the_silos_secrets()
    {
        Environment.SetEnvironmentVariable("OPENCODE_RUN_COMMAND_SECRET", "silo-secret");

        var (_, text) = await _session.CallAsync("run_command", new() { ["command"] = "env" });

        Assert.DoesNotContain("silo-secret", text);
        Assert.Contains("PATH=", text);
    }

    [Fact]
    public async Task At_the_timeout_the_process_and_its_children_are_killed()
    {
        // The shell starts a child that would outlive it, writes the child's pid, and waits.
        var pidFile = _workspace.PathOf("child.pid");
        var clock = Stopwatch.StartNew();

        var (isError, text) = await _session.CallAsync("run_command", new()
        {
            ["command"] = "sh",
            ["args"] = new[] { "-c", "sleep 300 & echo $! > child.pid; echo started; wait" },
            ["timeoutSeconds"] = 1,
        });

        Assert.True(isError);
        Assert.StartsWith("Timed out after 1 s: the process and its child processes were killed.", text);
        Assert.Contains("started", text);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await ExitsAsync(child), $"the child process {child} is still running");
    }

    [Fact]
    public async Task Cancelling_the_call_kills_the_process_and_its_children()
    {
        var pidFile = _workspace.PathOf("cancelled.pid");
        using var cancel = new CancellationTokenSource();
        var call = _session.Client.CallToolAsync(
            "run_command",
            new Dictionary<string, object?> { ["command"] = "sh", ["args"] = new[] { "-c", "sleep 300 & echo $! > cancelled.pid; wait" } },
            cancellationToken: cancel.Token).AsTask();
        await WaitForAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await ExitsAsync(child), $"the child process {child} is still running");
    }

    [Fact]
    public async Task A_timeout_above_the_maximum_is_capped()
    {
        var server = _workspace.Server(_workspace.Options(codeExecution: true) with
        {
            CodeExecution = new() { Enabled = true, TimeoutSeconds = 1, MaxTimeoutSeconds = 1 },
        });
        await using var session = await WorkspaceSession.ConnectAsync(server);

        var (isError, text) = await session.CallAsync("run_command", new() { ["command"] = "sleep", ["args"] = new[] { "30" }, ["timeoutSeconds"] = 3600 });

        Assert.True(isError);
        Assert.StartsWith("Timed out after 1 s", text);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition());
    }

    private static async Task<bool> ExitsAsync(int pid)
    {
        for (var i = 0; i < 50; i++)
        {
            // A killed child stays a zombie until reaped; either way it no longer runs.
            if (!File.Exists($"/proc/{pid}/stat") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z")
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
