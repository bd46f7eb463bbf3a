using BenchmarkDotNet.Attributes;

namespace Teardown.Bench;

/// <summary>Complete connection lifecycles per second through the model (one core, no observer).</summary>
[MemoryDiagnoser]
public class LifecycleBenchmark
{
    public const int Lifecycles = 20_000;

    [Benchmark(OperationsPerInvoke = Lifecycles)]
    public long CompleteLifecycles()
    {
        var driver = new LifecycleDriver();
        driver.Run(Lifecycles);
        return driver.Simulator.EventsProcessed;
    }
}
