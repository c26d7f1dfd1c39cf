using Microsoft.Extensions.Hosting;

namespace OpenCode.Testing;

/// <summary>
/// Replaces the console lifetime, which would hook Ctrl+C and SIGTERM of whatever process hosts the
/// server (a test runner): the kit's servers stop only when disposed.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
