namespace Teardown.Model.Kernel;

/// <summary>
/// The TcpExt (/proc/net/netstat) and Tcp (/proc/net/snmp) counters the model keeps, named exactly as
/// Linux prints them (include/uapi/linux/snmp.h; net/ipv4/proc.c).
/// </summary>
public enum Mib
{
    // Tcp (TCP_MIB_*)
    ActiveOpens,
    PassiveOpens,
    AttemptFails,
    EstabResets,
    CurrEstab,
    InSegs,
    OutSegs,
    RetransSegs,
    OutRsts,

    // TcpExt (LINUX_MIB_*)
    TW,
    TWKilled,
    PAWSEstab,
    DelayedACKs,
    TCPAbortOnData,
    TCPAbortOnClose,
    TCPAbortOnMemory,
    TCPAbortOnTimeout,
    TCPAbortOnLinger,
    TCPAbortFailed,
    TCPTimeouts,
    TCPLossProbes,
    TCPKeepAlive,
    TCPTimeWaitOverflow,
    TCPChallengeACK,
    TCPSYNChallenge,
    TCPACKSkippedSeq,
    TCPACKSkippedChallenge,
    TCPACKSkippedFinWait2,
    TCPACKSkippedTimeWait,
    TCPACKSkippedPAWS,
    TCPACKSkippedSynRecv,
    TCPOrphanQueued,
    ListenOverflows,
    ListenDrops,
}

/// <summary>Lookup of counters by the names scenarios use (<c>TCPAbortOnData</c>, <c>TcpExt.TCPAbortOnData</c>).</summary>
public static class MibNames
{
    private static readonly Dictionary<string, Mib> s_byName = BuildIndex();

    public static int Count { get; } = Enum.GetValues<Mib>().Length;

    public static bool TryParse(string name, out Mib mib)
    {
        string n = name.Contains('.', StringComparison.Ordinal) ? name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..] : name;
        return s_byName.TryGetValue(n, out mib);
    }

    /// <summary>True for Tcp (snmp) counters, false for TcpExt (netstat) ones.</summary>
    public static bool IsSnmp(Mib mib) => mib <= Mib.OutRsts;

    private static Dictionary<string, Mib> BuildIndex()
    {
        var d = new Dictionary<string, Mib>(StringComparer.OrdinalIgnoreCase);
        foreach (Mib m in Enum.GetValues<Mib>()) d[m.ToString()] = m;
        return d;
    }
}
