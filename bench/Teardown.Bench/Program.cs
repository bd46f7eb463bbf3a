using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Teardown.Bench;
using Teardown.Model;
using Teardown.Model.Simulation;

// bench/Teardown.Bench:
//   dotnet run -c Release --project bench/Teardown.Bench -- model        quick figures: lifecycles/s and bytes per live connection
//   dotnet run -c Release --project bench/Teardown.Bench -- bdn [args]   the BenchmarkDotNet run (statistically sound)
string mode = args.Length > 0 ? args[0] : "model";
if (mode == "bdn")
{
    BenchmarkSwitcher.FromAssembly(typeof(LifecycleBenchmark).Assembly).Run(args[1..]);
    return 0;
}

if (mode != "model")
{
    Console.Error.WriteLine("usage: Teardown.Bench [model | bdn [BenchmarkDotNet args]]");
    return 2;
}

// Warm up, then time a few rounds and keep the best (one core: the model is single-threaded).
new LifecycleDriver().Run(20_000);
const int n = 200_000;
double best = double.MaxValue;
long events = 0;
for (int round = 0; round < 3; round++)
{
    var driver = new LifecycleDriver((ulong)round + 1);
    var sw = Stopwatch.StartNew();
    driver.Run(n);
    sw.Stop();
    best = Math.Min(best, sw.Elapsed.TotalSeconds);
    events = driver.Simulator.EventsProcessed;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"model lifecycles: {n / best:N0} per second ({n:N0} in {best:F3} s, {events / (double)n:F1} events each)"));

// Memory per live connection: hold many ESTABLISHED connections open and measure the managed heap.
const int live = 10_000;
var sim = new Simulator(new DeterministicRandom(9));
var c = sim.AddHost("c", Addr.Parse("192.0.2.1"));
var s = sim.AddHost("s", Addr.Parse("192.0.2.2"));
int l = (int)s.Listen(80, live + 1).Value;
long before = GC.GetTotalMemory(forceFullCollection: true);
for (int i = 0; i < live; i++)
{
    c.Connect(s.Address, 80, out _);
    sim.RunUntil(sim.Now);
    s.Accept(l);
}

sim.RunUntil(sim.Now + SimDuration.FromSeconds(1));
long after = GC.GetTotalMemory(forceFullCollection: true);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"memory: {(after - before) / (double)live:N0} bytes per live connection (both ends, {live:N0} ESTABLISHED)"));
GC.KeepAlive(sim);
return 0;
