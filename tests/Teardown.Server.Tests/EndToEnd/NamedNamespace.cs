using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Teardown.Linux.Namespaces;

namespace Teardown.Server.Tests.EndToEnd;

/// <summary>
/// A named network namespace (<c>ip netns add</c>) with its loopback up, so that child processes can
/// be started in it with <c>ip netns exec</c> while this process makes sockets in it and talks to
/// its loopback through sockets created inside it. Deleted on dispose; nothing else on the host changes.
/// </summary>
internal sealed class NamedNamespace : IDisposable
{
    private readonly NetNsHandle _handle;

    private NamedNamespace(string name, NetNsHandle handle)
    {
        Name = name;
        _handle = handle;
    }

    internal string Name { get; }

    internal static NamedNamespace Create(string prefix)
    {
        string name = $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        Ip("netns", "add", name);
        Ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
        var opened = NetNsHandle.Open($"/run/netns/{name}");
        if (!opened.IsOk)
        {
            Ip("netns", "del", name);
            throw new InvalidOperationException($"cannot open /run/netns/{name}: {opened.Error}");
        }

        return new NamedNamespace(name, opened.Value);
    }

    /// <summary>Runs <paramref name="function"/> on a thread inside the namespace (sockets it creates live there).</summary>
    internal T Run<T>(Func<T> function)
    {
        var result = NetNs.Run(_handle, function);
        return result.IsOk ? result.Value! : throw new InvalidOperationException($"cannot enter {Name}: {result.Error}");
    }

    /// <summary>An HTTP client whose connections are made from inside the namespace (to its loopback).</summary>
    internal HttpClient Http() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Starts <paramref name="program"/> inside the namespace.</summary>
    internal ChildProcess Start(string program, params string[] args) => ChildProcess.Start("ip", ["netns", "exec", Name, program, .. args]);

    public void Dispose()
    {
        _handle.Dispose();
        Ip("netns", "del", Name);
    }

    private static void Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {err.Trim()}");
    }
}

/// <summary>A child process whose output is kept (for failure messages) and which is killed on dispose.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private ChildProcess(Process process) => _process = process;

    internal static ChildProcess Start(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        var child = new ChildProcess(new Process { StartInfo = psi });
        child._process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    internal int Pid => _process.Id;

    internal bool HasExited => _process.HasExited;

    /// <summary>What it printed so far (last 4,000 characters).</summary>
    internal string Output
    {
        get
        {
            lock (_output)
            {
                string all = _output.ToString();
                return all.Length > 4000 ? all[^4000..] : all;
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
