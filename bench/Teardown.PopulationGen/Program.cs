using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Teardown.PopulationGen;

// popgen --index I --workers N --total-scale S --ready FILE
// Run inside the benchmark namespace (ip netns exec). Builds share I of N of the population,
// writes the per-class counts it built to FILE, then holds its descriptors until stdin closes
// or it is killed.
int index = 0, workers = 1;
double scale = 1.0;
string? ready = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--index": index = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--workers": workers = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--scale": scale = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--ready": ready = args[++i]; break;
        default: Console.Error.WriteLine($"popgen: unknown argument {args[i]}"); return 2;
    }
}

if (ready is null || index < 0 || index >= workers)
{
    Console.Error.WriteLine("usage: popgen --index I --workers N [--scale S] --ready FILE");
    return 2;
}

int S(int n) => (int)Math.Round(n * scale);
// 160,000 sockets at scale 1 (plus 7 listeners per worker); 79,000 descriptors held.
var total = new Slice(CloseWaitUnreadEof: S(25_000), CloseWaitReadNotClosed: S(10_000), CloseWaitUnreadData: S(10_000),
    NeverAccepted: S(8_000), HalfClosed: S(10_000), TimeWait: S(20_000), Established: S(7_000));
var slice = Slice.Of(total, index, workers);
var clock = Stopwatch.StartNew();
var builder = new Builder(basePort: 1100 + (index * 10));
builder.Build(slice);
Thread.Sleep(200); // let the last FINs and ACKs settle on loopback
var manifest = new Dictionary<string, object>
{
    ["index"] = index,
    ["pid"] = Environment.ProcessId,
    ["descriptorsHeld"] = builder.Held,
    ["buildMs"] = clock.ElapsedMilliseconds,
    ["classes"] = slice.ExpectedClasses(),
};
File.WriteAllText(ready + ".tmp", JsonSerializer.Serialize(manifest));
File.Move(ready + ".tmp", ready, overwrite: true);
Console.In.ReadToEnd(); // hold until the script closes our stdin or kills us
GC.KeepAlive(builder);
return 0;
