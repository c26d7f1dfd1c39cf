using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OpenCode.Testing;

/// <summary>
/// A process started by a test (a gateway silo, a standalone fake model…): output captured for failure
/// messages, readiness by polling an HTTP URL, and the whole process tree killed on dispose so no
/// test leaves servers behind.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int MaxLines = 10_000;
    private const int TailLines = 200;

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly Lock _linesLock = new();

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>The file name that was started, for messages.</summary>
    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited; null while it runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Standard output and error interleaved by arrival, the last 10,000 lines.</summary>
    public string Output
    {
        get
        {
            lock (_linesLock)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="command"/> with the current environment plus <paramref name="environment"/>
    /// (a null value removes a variable). Standard input stays open and empty.
    /// </summary>
    public static ChildProcess Start(
        string command,
        IEnumerable<string> args,
        IEnumerable<KeyValuePair<string, string?>>? environment = null,
        string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? [])
        {
            if (value is null)
            {
                startInfo.Environment.Remove(key);
            }
            else
            {
                startInfo.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process, Path.GetFileName(command));
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Starts a managed app: <c>dotnet &lt;assemblyPath&gt; args…</c> with the tests' own dotnet host.</summary>
    public static ChildProcess StartDotnet(
        string assemblyPath,
        IEnumerable<string> args,
        IEnumerable<KeyValuePair<string, string?>>? environment = null,
        string? workingDirectory = null) =>
        Start(DotnetHost.Path, [assemblyPath, .. args], environment, workingDirectory);

    /// <summary>Polls <paramref name="url"/> with GET until it answers 200; fails early if the process exits.</summary>
    /// <exception cref="TimeoutException">No 200 within <paramref name="timeout"/>; the message holds the output tail.</exception>
    /// <exception cref="InvalidOperationException">The process exited first; the message holds the output tail.</exception>
    public Task WaitForHttpOkAsync(Uri url, TimeSpan timeout, CancellationToken ct = default) =>
        WaitForHttpOkAsync(url, timeout, Probe, ct);

    /// <summary>
    /// <see cref="WaitForHttpOkAsync(Uri, TimeSpan, CancellationToken)"/> for a process just started: one that never
    /// gets ready is stopped before the failure is thrown, so no caller leaves it running.
    /// </summary>
    public async Task WaitUntilReadyOrStopAsync(Uri url, TimeSpan timeout, CancellationToken ct = default)
    {
        try
        {
            await WaitForHttpOkAsync(url, timeout, ct);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>As above, asking through <paramref name="client"/> (one that trusts a test certificate, say).</summary>
    public async Task WaitForHttpOkAsync(Uri url, TimeSpan timeout, HttpClient client, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        string lastAttempt = "no attempt";
        while (true)
        {
            ThrowIfExited($"before {url} answered 200");
            try
            {
                using var response = await client.GetAsync(url, ct);
                if (response.IsSuccessStatusCode && (int)response.StatusCode == 200)
                {
                    return;
                }

                lastAttempt = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                lastAttempt = e.Message;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{Name} (pid {Id}): {url} did not answer 200 within {timeout} (last: {lastAttempt}).\n{OutputTail()}");
            }

            await Task.Delay(100, ct);
        }
    }

    /// <summary>Waits until a line containing <paramref name="text"/> was printed and returns that line.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            lock (_linesLock)
            {
                foreach (var line in _lines)
                {
                    if (line.Contains(text, StringComparison.Ordinal))
                    {
                        return line;
                    }
                }
            }

            ThrowIfExited($"before printing \"{text}\"");
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{Name} (pid {Id}) did not print \"{text}\" within {timeout}.\n{OutputTail()}");
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} (pid {Id}) did not exit within {timeout}.\n{OutputTail()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process and its children at once, as a crash would (SIGKILL on Unix).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>
    /// Asks the process to shut down (SIGTERM on Unix, so hosts run their stopping handlers), then kills
    /// the tree if it is still running after <paramref name="grace"/>. On Windows this is <see cref="Kill"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows() || SendSigterm(_process.Id) != 0)
        {
            Kill();
        }

        using var cts = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // The kill was sent; do not hang the test run on a zombie.
        }

        _process.Dispose();
    }

    public override string ToString() => $"{Name} (pid {Id})";

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_linesLock)
        {
            _lines.Enqueue(line);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    private void ThrowIfExited(string what)
    {
        if (_process.HasExited)
        {
            _process.WaitForExit(); // drain the output readers so the tail below is complete
            throw new InvalidOperationException($"{Name} (pid {Id}) exited with code {_process.ExitCode} {what}.\n{OutputTail()}");
        }
    }

    private string OutputTail()
    {
        lock (_linesLock)
        {
            return "--- output (tail) ---\n" + string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - TailLines)));
        }
    }

    private static int SendSigterm(int pid) => SysKill(pid, 15);

    // Blittable signature, so DllImport needs no unsafe code (LibraryImport would).
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);
}
