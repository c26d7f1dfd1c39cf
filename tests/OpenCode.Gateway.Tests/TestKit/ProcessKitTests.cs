using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.TestKit;

/// <summary>LoopbackPort and ChildProcess, exercised on the kit's own standalone fake-model mode.</summary>
public sealed class ProcessKitTests
{
    private static readonly string KitAssembly = typeof(TestTools).Assembly.Location;

    [Fact]
    public void Next_loopback_port_is_free_to_bind()
    {
        var port = LoopbackPort.Next();

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.InRange(port, 1, 65535);
    }

    [Fact]
    public async Task Standalone_fake_model_answers_once_ready_and_is_gone_after_dispose()
    {
        var port = LoopbackPort.Next();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/v1");

        await using (var child = ChildProcess.StartDotnet(KitAssembly, ["fake-model", "--port", port.ToString()]))
        {
            await child.WaitForHttpOkAsync(new Uri($"{baseUrl}/models"), TimeSpan.FromSeconds(30));
            Assert.Equal(baseUrl.ToString(), await child.WaitForOutputAsync("http://", TimeSpan.FromSeconds(5)));

            using var http = new HttpClient();
            using var reply = await http.PostAsync($"{baseUrl}/chat/completions", new StringContent("""{"model":"m","messages":[{"role":"user","content":"ping"}]}""", Encoding.UTF8, "application/json"));
            var content = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("echo: ping", content.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }

        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task Stop_lets_the_process_shut_down_gracefully()
    {
        var port = LoopbackPort.Next();
        await using var child = ChildProcess.StartDotnet(KitAssembly, ["fake-model", "--port", port.ToString()]);
        await child.WaitForHttpOkAsync(new Uri($"http://127.0.0.1:{port}/v1/models"), TimeSpan.FromSeconds(30));

        await child.StopAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(OperatingSystem.IsWindows() ? -1 : 0, child.ExitCode); // 0: ran its shutdown path, not killed
    }

    [Fact]
    public async Task Waiting_on_a_process_that_exits_fails_fast_with_its_output()
    {
        await using var child = ChildProcess.StartDotnet(KitAssembly, ["no-such-mode"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            child.WaitForHttpOkAsync(new Uri($"http://127.0.0.1:{LoopbackPort.Next()}/"), TimeSpan.FromSeconds(30)));

        Assert.Contains("exited with code 2", error.Message);
        Assert.Contains("usage: OpenCode.Testing fake-model", error.Message);
    }

    [Fact]
    public async Task A_process_that_never_gets_ready_is_stopped_before_the_wait_fails()
    {
        // Alive, but serving nothing: without the stop it would outlive the failed start.
        var child = ChildProcess.Start("/bin/sh", ["-c", "sleep 60"]);
        var pid = child.Id;

        await Assert.ThrowsAsync<TimeoutException>(() =>
            child.WaitUntilReadyOrStopAsync(new Uri($"http://127.0.0.1:{LoopbackPort.Next()}/"), TimeSpan.FromSeconds(1)));

        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(pid));
    }

    [Fact]
    public async Task Environment_is_passed_and_can_remove_inherited_variables()
    {
        Environment.SetEnvironmentVariable("OPENCODE_TEST_INHERITED", "inherited");
        await using var child = ChildProcess.Start(
            "/bin/sh",
            ["-c", "echo \"set=$OPENCODE_TEST_SET removed=${OPENCODE_TEST_INHERITED:-none}\""],
            [new("OPENCODE_TEST_SET", "yes"), new("OPENCODE_TEST_INHERITED", null)]);

        Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("set=yes removed=none", child.Output);
    }
}
