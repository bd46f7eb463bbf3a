using System.Diagnostics;
using System.Globalization;
using System.Net;
using Teardown.Linux.Namespaces;

namespace Teardown.Linux.Tests.Support;

/// <summary>
/// Another process that accepts every connection and never closes one (Support/crowd.c): a
/// CLOSE_WAIT leak of any size once the clients close, held by a real process.
/// </summary>
internal sealed class Crowd : IDisposable
{
    private static readonly Lazy<string> Binary = new(() => Holder.Compile("crowd.c"));
    private readonly Process _process;

    private Crowd(Process process, IPEndPoint endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    internal int Pid => _process.Id;

    /// <summary>Where it listens.</summary>
    internal IPEndPoint Endpoint { get; }

    internal bool HasExited => _process.HasExited;

    /// <summary>Starts the crowd inside <paramref name="ns"/>, listening on <paramref name="address"/> (any port).</summary>
    internal static Crowd Start(NetNsHandle ns, IPAddress address)
    {
        string binary = Binary.Value;
        var started = NetNs.Run(ns, () => Process.Start(new ProcessStartInfo(binary, $"{address} 0") { RedirectStandardOutput = true, RedirectStandardInput = true })!);
        Assert.True(started.IsOk, started.Error?.ToString());
        int port = int.Parse(started.Value.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        Assert.True(port > 0, $"crowd could not listen: errno {-port}");
        return new Crowd(started.Value, new IPEndPoint(address, port));
    }

    /// <summary>SIGKILL, and wait until reaped (its sockets are closed by the exit).</summary>
    internal void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill();
        _process.WaitForExit(5000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
