using Teardown.Linux.Interop;

namespace Teardown.Linux.Settings;

/// <summary>Counters of one network namespace: MIB counters and socket statistics.</summary>
/// <param name="Mib">"TcpExt.TCPAbortOnData", "Tcp.CurrEstab", ... from /proc/net/netstat and /proc/net/snmp.</param>
/// <param name="Sockstat">"TCP.inuse", "TCP.tw", "TCP6.inuse", "sockets.used", ... from sockstat and sockstat6.</param>
/// <param name="Unreadable">Files that could not be read.</param>
public sealed record NetCounters(IReadOnlyDictionary<string, long> Mib, IReadOnlyDictionary<string, long> Sockstat, IReadOnlyList<string> Unreadable)
{
    /// <summary>The TCP sockstat line, typed.</summary>
    public TcpSockstat? Tcp => SockstatParser.Tcp(Sockstat);

    /// <summary>
    /// Reads the calling thread's namespace through /proc/thread-self/net (not /proc/net, which
    /// follows the thread-group leader: fs/proc/proc_net.c:get_proc_task_net).
    /// </summary>
    public static NetCounters Read()
    {
        var mib = new Dictionary<string, long>(StringComparer.Ordinal);
        var sockstat = new Dictionary<string, long>(StringComparer.Ordinal);
        var unreadable = new List<string>();
        foreach (string file in (string[])["netstat", "snmp"])
        {
            string? text = ProcFs.TryReadText("/proc/thread-self/net/" + file, out _);
            if (text is null)
            {
                unreadable.Add("/proc/net/" + file);
                continue;
            }

            MibParser.Parse(text, mib);
        }

        foreach (string file in (string[])["sockstat", "sockstat6"])
        {
            string? text = ProcFs.TryReadText("/proc/thread-self/net/" + file, out _);
            if (text is null)
            {
                unreadable.Add("/proc/net/" + file);
                continue;
            }

            SockstatParser.Parse(text, sockstat);
        }

        return new NetCounters(mib, sockstat, unreadable);
    }
}
