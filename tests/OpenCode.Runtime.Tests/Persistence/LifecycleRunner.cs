namespace OpenCode.Runtime.Tests.Persistence;

/// <summary>
/// Runs what a component subscribes to the silo lifecycle (its start and stop), for components used outside a
/// silo: the ADO.NET storage reads its queries when the lifecycle starts.
/// </summary>
public sealed class LifecycleRunner : ISiloLifecycle
{
    private readonly List<(int Stage, ILifecycleObserver Observer)> _observers = [];

    public int HighestCompletedStage { get; private set; }

    public int LowestStoppedStage { get; private set; }

    public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
    {
        _observers.Add((stage, observer));
        return new Unsubscriber(() => _observers.Remove((stage, observer)));
    }

    public async Task StartAsync()
    {
        foreach (var (stage, observer) in _observers.OrderBy(o => o.Stage))
        {
            await observer.OnStart(CancellationToken.None);
            HighestCompletedStage = stage;
        }
    }

    public async Task StopAsync()
    {
        foreach (var (stage, observer) in _observers.OrderByDescending(o => o.Stage))
        {
            await observer.OnStop(CancellationToken.None);
            LowestStoppedStage = stage;
        }
    }

    private sealed class Unsubscriber(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}
