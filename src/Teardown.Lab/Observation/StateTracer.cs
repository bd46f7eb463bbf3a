using System.Globalization;
using System.Text;
using Teardown.Linux.Interop;

namespace Teardown.Lab.Observation;

/// <summary>
/// Records <c>sock:inet_sock_set_state</c> through a private tracefs instance (instances/td-PID-RUN), so
/// that parallel runs and other users of tracing do not disturb each other. The instance uses
/// trace_clock=mono (CLOCK_MONOTONIC, the lab's clock) and a filter on the run's ports: its ephemeral
/// window and the ports the scenario listens on or connects to. The event has no netns, so the filter cannot tell two
/// namespaces apart; the runner keeps only events whose 4-tuple belongs to its own connections.
/// </summary>
internal sealed class StateTracer : IDisposable
{
    private const string TraceRoot = "/sys/kernel/tracing";
    private readonly string _dir;
    private readonly List<StateEvent> _events = [];
    private readonly Thread _reader;
    private readonly int _fd;
    private volatile bool _stopping;

    private StateTracer(string dir, int fd)
    {
        _dir = dir;
        _fd = fd;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "tracefs reader" };
        _reader.Start();
    }

    /// <summary>Starts tracing, or returns null with the reason when tracefs cannot be used.</summary>
    public static StateTracer? TryStart(string instance, int portLow, int portHigh, IEnumerable<int> scenarioPorts, out string? whyNot)
    {
        whyNot = null;
        try
        {
            if (!File.Exists(TraceRoot + "/trace_clock") && !Mount(out whyNot)) return null;
            string dir = $"{TraceRoot}/instances/{instance}";
            Directory.CreateDirectory(dir);
            File.WriteAllText(dir + "/trace_clock", "mono");
            File.WriteAllText(dir + "/buffer_size_kb", "1024");

            // Every field, skaddr included, whatever the print format shows (kernel/trace: the "fields"
            // option, 6.x); without it the lines still parse, only without the socket's address.
            TryWrite(dir + "/options/fields", "1");
            var filter = new StringBuilder().Append(CultureInfo.InvariantCulture, $"family == {LinuxConstants.AF_INET} && (sport >= {portLow} && sport <= {portHigh} || dport >= {portLow} && dport <= {portHigh}");
            foreach (int p in scenarioPorts.Distinct()) filter.Append(CultureInfo.InvariantCulture, $" || sport == {p} || dport == {p}");
            filter.Append(')');
            string ev = dir + "/events/sock/inet_sock_set_state";
            File.WriteAllText(ev + "/filter", filter.ToString());
            File.WriteAllText(ev + "/enable", "1");
            int fd = Libc.open(dir + "/trace_pipe", LinuxConstants.O_RDONLY | LinuxConstants.O_NONBLOCK | LinuxConstants.O_CLOEXEC, 0);
            if (fd < 0)
            {
                whyNot = $"cannot open {dir}/trace_pipe: errno {(int)Libc.LastErrno}";
                Remove(dir);
                return null;
            }

            return new StateTracer(dir, fd);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            whyNot = "tracefs unavailable: " + e.Message;
            return null;
        }
    }

    /// <summary>Called on the reader thread after each event is read (the poller speeds up: <see cref="SocketPoller.Nudge"/>).</summary>
    public Action? EventRead { get; set; }

    /// <summary>Events read so far.</summary>
    public IReadOnlyList<StateEvent> Events
    {
        get
        {
            lock (_events) return _events.ToArray();
        }
    }

    private static void TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static bool Mount(out string? whyNot)
    {
        whyNot = null;
        Directory.CreateDirectory(TraceRoot);
        var psi = new System.Diagnostics.ProcessStartInfo("mount") { UseShellExecute = false, RedirectStandardError = true };
        foreach (string a in (string[])["-t", "tracefs", "nodev", TraceRoot]) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi);
        p?.WaitForExit();
        if (File.Exists(TraceRoot + "/trace_clock")) return true;
        whyNot = "tracefs is not mounted at " + TraceRoot + " and mounting it failed";
        return false;
    }

    private unsafe void ReadLoop()
    {
        var buf = new byte[65536];
        var pending = new StringBuilder();
        var pfd = new PollFd { fd = _fd, events = LinuxConstants.POLLIN };
        while (true)
        {
            bool stopping = _stopping;
            Libc.poll(&pfd, 1, 20);
            while (true)
            {
                nint n;
                fixed (byte* p = buf) n = Libc.read(_fd, p, (nuint)buf.Length);
                if (n <= 0) break;
                pending.Append(Encoding.ASCII.GetString(buf, 0, (int)n));
                string text = pending.ToString();
                int last = text.LastIndexOf('\n');
                if (last < 0) continue;
                pending.Clear().Append(text.AsSpan(last + 1));
                foreach (string line in text[..last].Split('\n'))
                {
                    if (StateEventParser.TryParse(line) is { } e)
                    {
                        lock (_events) _events.Add(e);
                        EventRead?.Invoke();
                    }
                }
            }

            if (stopping) return;
        }
    }

    /// <summary>Reads what is left (events of the last milliseconds), then stops.</summary>
    public void Stop()
    {
        if (_stopping) return;
        Thread.Sleep(30);
        _stopping = true;
        _reader.Join(TimeSpan.FromSeconds(2));
    }

    /// <summary>True when the instance directory is gone after <see cref="Dispose"/>.</summary>
    public bool Removed => !Directory.Exists(_dir);

    public void Dispose()
    {
        Stop();
        if (_reader.IsAlive) _reader.Join(TimeSpan.FromSeconds(2));
        Libc.close(_fd);
        Remove(_dir);
    }

    private static void Remove(string dir)
    {
        try
        {
            File.WriteAllText(dir + "/events/sock/inet_sock_set_state/enable", "0");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }

        // rmdir of a tracefs instance removes it with its buffers; it is EBUSY while any of its files is
        // still open (a reader leaving poll), so retry briefly.
        for (int i = 0; i < 50 && Directory.Exists(dir); i++)
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(20);
            }
        }
    }
}
