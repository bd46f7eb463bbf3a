using Teardown.Linux.Namespaces;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Inventory;

/// <summary>Which socket source to use.</summary>
public enum SocketSourcePreference
{
    /// <summary>Netlink sock_diag, falling back to /proc/net/tcp if it fails.</summary>
    SockDiag,
    /// <summary>/proc/net/tcp only (what a host without inet_diag offers).</summary>
    ProcNetTcp,
}

/// <summary>What <see cref="InventoryReader.Take"/> reads.</summary>
public sealed record InventoryOptions
{
    /// <summary>Namespace to inspect; null for the calling thread's own. The handle stays owned by the caller.</summary>
    public NetNsHandle? Namespace { get; init; }

    /// <summary>States to dump (default all, including TIME_WAIT, SYN_RECV and bound-inactive).</summary>
    public TcpStateMask States { get; init; } = TcpStateMask.All;

    /// <summary>Netlink extensions (default tcp_info + skmeminfo).</summary>
    public DiagExtensions Extensions { get; init; } = DiagExtensions.TcpInfo | DiagExtensions.SkMemInfo;

    /// <summary>
    /// States whose sockets get <see cref="Extensions"/>; the others are dumped bare (default all).
    /// Filling tcp_info is most of what a dump costs the kernel (net/ipv4/tcp.c:tcp_get_info under
    /// net/ipv4/inet_diag.c:inet_sk_diag_fill), so a caller that reads it only for some states —
    /// the doctor, for the teardown states — saves it on the many ESTABLISHED sockets of a busy host,
    /// for the price of a second, cheap walk of the hash tables.
    /// </summary>
    public TcpStateMask DetailStates { get; init; } = TcpStateMask.All;

    /// <summary>Read IPv6 sockets too (default true).</summary>
    public bool IncludeIPv6 { get; init; } = true;

    /// <summary>Scan /proc/*/fd for owners (default true; the expensive part).</summary>
    public bool ScanOwners { get; init; } = true;

    /// <summary>
    /// From how many sockets (sockstat's estimate) the dump is split in two, run on two threads (default
    /// 30,000; 0 always splits, <see cref="int.MaxValue"/> never).
    /// </summary>
    public int SplitDumpAbove { get; init; } = 30_000;

    /// <summary>How owners are found (default: the BPF iterator where allowed, else /proc).</summary>
    public Owners.OwnerScanMethod OwnerMethod { get; init; } = Owners.OwnerScanMethod.Auto;

    /// <summary>A working table kept between snapshots by a long-running caller (null: a fresh one each time).</summary>
    public SocketTableScratch? Scratch { get; init; }

    /// <summary>Socket source (default sock_diag with fallback).</summary>
    public SocketSourcePreference Source { get; init; } = SocketSourcePreference.SockDiag;
}
