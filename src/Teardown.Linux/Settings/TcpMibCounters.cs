namespace Teardown.Linux.Settings;

/// <summary>
/// The TCP counters of a namespace's MIB (<see cref="MibParser"/> output) as scenarios name them:
/// the <c>Tcp</c> (/proc/net/snmp) and <c>TcpExt</c> (/proc/net/netstat) groups only, each counter
/// both as <c>Prefix.Name</c> and by its bare name, case-insensitive. Bare names do not clash: the two
/// groups' names are disjoint on Linux 6.x (net/ipv4/proc.c: snmp4_tcp_list, snmp4_net_list). Tcp's
/// RtoAlgorithm, RtoMin, RtoMax and MaxConn are constants, not counters, and are left out.
/// </summary>
public static class TcpMibCounters
{
    /// <summary>Parses /proc/net/netstat and /proc/net/snmp texts (in any number) into TCP counters.</summary>
    public static Dictionary<string, long> Parse(params string[] texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var mib = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            MibParser.Parse(text, mib);
        }

        return From(mib);
    }

    /// <summary>
    /// Whether a counter is a gauge — what is now, not what happened (Tcp: CurrEstab, the connections in ESTABLISHED or
    /// CLOSE_WAIT; snmp.h "CurrEstab" is the only such field of the TCP MIBs). A gauge is not summed over a host's
    /// boots: after a crash and a reboot, it is the new boot's (fuzz seed 32100403: CurrEstab 4 = 3 of the crashed boot + 1).
    /// </summary>
    public static bool IsGauge(string name) => name is "CurrEstab" or "Tcp.CurrEstab";

    /// <summary>Selects and names the TCP counters of a parsed MIB (<c>"TcpExt.TCPAbortOnData"</c> → 3, ...).</summary>
    public static Dictionary<string, long> From(IReadOnlyDictionary<string, long> mib)
    {
        ArgumentNullException.ThrowIfNull(mib);
        var result = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in mib)
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0)
            {
                continue;
            }

            string prefix = key[..dot];
            string name = key[(dot + 1)..];
            if (prefix is not ("Tcp" or "TcpExt") || (prefix == "Tcp" && name is "RtoAlgorithm" or "RtoMin" or "RtoMax" or "MaxConn"))
            {
                continue;
            }

            result[key] = value;
            result[name] = value;
        }

        return result;
    }

    /// <summary>Counter-by-counter difference <paramref name="now"/> − <paramref name="baseline"/> (a counter absent from the baseline counts from 0).</summary>
    public static Dictionary<string, long> Delta(IReadOnlyDictionary<string, long> now, IReadOnlyDictionary<string, long> baseline)
    {
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(baseline);
        var d = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in now)
        {
            d[key] = value - baseline.GetValueOrDefault(key);
        }

        return d;
    }
}
