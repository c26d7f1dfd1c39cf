using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Tools.Workspace;

/// <summary>
/// The workspace server's <c>run_command</c> tool: runs a program (no shell) in a directory of the workspace,
/// with a timeout, capped output and a curated environment (the silo's secrets are not passed on). At the
/// timeout, or when the call is cancelled, the process is killed with its whole process tree.
/// </summary>
/// <remarks>
/// Not a sandbox: the program runs as the gateway's user and can read and write whatever that user can,
/// inside the workspace or not. The working directory is kept inside the workspace; nothing else is.
/// </remarks>
public sealed partial class RunCommandTool(WorkspaceRoot root, CodeExecutionOptions options, ILogger<RunCommandTool> logger)
{
    /// <summary>How long output is still read after the process ended (a background child may hold its pipes open).</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    [McpServerTool(Name = "run_command", Destructive = true, OpenWorld = true)]
    [Description("Runs a program in a directory of the workspace and returns its exit code, stdout and stderr (each cut after a limit). " +
        "There is no shell: for pipes, redirection or globbing run e.g. 'sh' with args ['-c', '...']. " +
        "At the timeout the program is killed together with every process it started.")]
    public async Task<CallToolResult> RunAsync(
        [Description("The program: a name looked up on PATH, or a path (relative paths start from the working directory).")] string command,
        [Description("Its arguments, each passed as it is.")] string[]? args = null,
        [Description("Where to run it, relative to the workspace root; '.' (the default) is the root.")] string workingDirectory = ".",
        [Description("Seconds until the program is killed; the operator sets the default and the maximum.")] int? timeoutSeconds = null,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            throw new McpException("The command must not be empty.");
        }

        var directory = root.Resolve(workingDirectory);
        if (!Directory.Exists(directory))
        {
            throw new McpException($"The working directory '{workingDirectory}' does not exist.");
        }

        var timeout = TimeSpan.FromSeconds(Math.Clamp(timeoutSeconds ?? options.TimeoutSeconds, 1, options.MaxTimeoutSeconds));
        using var process = new Process { StartInfo = StartInfo(command, args ?? [], directory) };
        try
        {
            process.Start();
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or IOException)
        {
            throw new McpException($"Cannot start '{command}': {exception.Message}.");
        }

        LogStarted(command, process.Id, root.Relative(directory));
        process.StandardInput.Close();
        var stdout = CapturedOutput.Start(process.StandardOutput.BaseStream, options.MaxOutputBytes);
        var stderr = CapturedOutput.Start(process.StandardError.BaseStream, options.MaxOutputBytes);

        var clock = Stopwatch.StartNew();
        var timedOut = false;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                KillTree(process);
                cancellationToken.ThrowIfCancellationRequested();
                timedOut = true;
            }
        }

        var complete = await CapturedOutput.WaitAsync(OutputGrace, stdout, stderr);
        var report = new StringBuilder();
        report.Append(timedOut
            ? $"Timed out after {timeout.TotalSeconds:0} s: the process and its child processes were killed."
            : $"Exit code {process.ExitCode} after {clock.Elapsed.TotalSeconds:0.###} s.");
        stdout.AppendTo(report, "stdout");
        stderr.AppendTo(report, "stderr");
        if (!complete)
        {
            report.Append("\n[a background process still holds the output open; output after this point is not shown]");
        }

        return new CallToolResult { Content = [new TextContentBlock { Text = report.ToString() }], IsError = timedOut };
    }

    private static ProcessStartInfo StartInfo(string command, string[] args, string directory)
    {
        // A relative path to a program starts from the working directory, not from the gateway's own.
        var program = command.IndexOfAny(['/', '\\']) >= 0 && !Path.IsPathRooted(command) ? Path.GetFullPath(command, directory) : command;
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg ?? "");
        }

        // The same curated environment as a stdio MCP server gets (PATH, HOME, ...): no provider keys or secrets.
        start.Environment.Clear();
        foreach (var (name, value) in StdioClientTransportOptions.GetDefaultEnvironmentVariables())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            LogKillFailed(process.Id, exception.Message); // it may have exited on its own meanwhile
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "run_command started {Command} as process {ProcessId} in {Directory}")]
    private partial void LogStarted([Pii] string command, int processId, string directory);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Killing process {ProcessId} failed: {Reason}")]
    private partial void LogKillFailed(int processId, string reason);

    /// <summary>One output stream, read to its end; the first bytes up to a cap are kept, the rest counted.</summary>
    private sealed class CapturedOutput
    {
        private readonly Lock _gate = new();
        private readonly byte[] _kept;
        private int _keptCount;
        private long _total;

        private CapturedOutput(int cap) => _kept = new byte[cap];

        private Task Reading { get; set; } = Task.CompletedTask;

        public static CapturedOutput Start(Stream stream, int cap)
        {
            var output = new CapturedOutput(cap);
            output.Reading = Task.Run(() => output.ReadAsync(stream));
            return output;
        }

        /// <summary>Whether both streams ended within <paramref name="grace"/>.</summary>
        public static async Task<bool> WaitAsync(TimeSpan grace, CapturedOutput first, CapturedOutput second)
        {
            var both = Task.WhenAll(first.Reading, second.Reading);
            return await Task.WhenAny(both, Task.Delay(grace)) == both;
        }

        public void AppendTo(StringBuilder report, string name)
        {
            lock (_gate)
            {
                if (_total == 0)
                {
                    return;
                }

                // Decoding without a flush leaves out a character the cap cut in two.
                var decoder = Encoding.UTF8.GetDecoder();
                var chars = new char[Encoding.UTF8.GetMaxCharCount(_keptCount)];
                var count = decoder.GetChars(_kept, 0, _keptCount, chars, 0, flush: _total == _keptCount);
                report.Append("\n--- ").Append(name).Append(" ---\n").Append(chars, 0, count);
                if (_total > _keptCount)
                {
                    report.Append($"\n[{name} truncated: {_total} bytes, only the first {_keptCount} are shown]");
                }
            }
        }

        private async Task ReadAsync(Stream stream)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    lock (_gate)
                    {
                        var keep = Math.Min(read, _kept.Length - _keptCount);
                        buffer.AsSpan(0, keep).CopyTo(_kept.AsSpan(_keptCount));
                        _keptCount += keep;
                        _total += read;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
                // The process was disposed while a background child still held the pipe: what was read is kept.
            }
        }
    }
}
