using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Teardown.Cli.Tests;

/// <summary>watch on a live leak: a server in this process keeps CLOSE_WAIT sockets while watch samples.</summary>
public class WatchGrowthTests
{
    [Fact]
    public async Task Watch_SeesTheLeakGrow_AndForecastsOurDescriptors()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(512);
        var leaked = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var leak = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
                {
                    client.Connect(listener.LocalEndPoint!);
                    lock (leaked) leaked.Add(listener.Accept()); // never read, never closed: CLOSE_WAIT once the client leaves
                }

                await Task.Delay(10).ConfigureAwait(false);
            }
        });
        try
        {
            await Task.Delay(300);
            // A separate process watches us: a watcher leaves its own descriptors out of its forecasts.
            var (code, stdout, _) = await Task.Run(() => CliProcess.Run("watch", "--plain", "--count", "4", "--interval", "400ms",
                "--pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--port", ((IPEndPoint)listener.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Contains(code, new[] { 1, 3 });
            string last = stdout[stdout.LastIndexOf("sample 4", StringComparison.Ordinal)..];
            Assert.Matches(new Regex(@"close-wait-unread-eof\s*│\s*\d+\s*│\s*\+\d"), last);
            // Our descriptors grow with the leak: the forecast row has a time to the limit, not "not growing".
            string flat = Regex.Replace(last, @"\s+", " ");
            Assert.Contains($"pid {Environment.ProcessId}", flat, StringComparison.Ordinal);
            Assert.Matches(new Regex(@"pid \d+\)? ?│ \d+ │ \d+ │ \+[\d.]+ │ [\d.]+ (s|min|h) │"), flat);
        }
        finally
        {
            await stop.CancelAsync();
            await leak;
            lock (leaked) foreach (var s in leaked) s.Dispose();
        }
    }
}
