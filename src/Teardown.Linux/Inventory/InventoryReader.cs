using System.Collections.Immutable;
using Teardown.Linux.Interop;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Netlink;
using Teardown.Linux.Owners;
using Teardown.Linux.Proc;
using Teardown.Linux.Settings;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Inventory;

/// <summary>
/// Builds a <see cref="HostSnapshot"/>. Every failure degrades into a <see cref="BlindSpot"/>;
/// <see cref="Take"/> does not throw for anything the host does.
/// </summary>
/// <remarks>
/// Order: sockets, settings and counters are read inside the target namespace (on a dedicated
/// thread when one is given, see <see cref="NetNs"/>); the owner scan then runs host-wide on the
/// calling thread, since /proc/*/fd and socket inodes are not namespaced by netns. Sockets are read
/// first so that sockets created during the owner scan are simply absent, while sockets closed
/// during it show as ownerless (inode with no owner) rather than wrongly owned.
/// </remarks>
public static class InventoryReader
{
    /// <summary>Takes a snapshot.</summary>
    public static HostSnapshot Take(InventoryOptions? options = null, TimeProvider? time = null)
    {
        options ??= new InventoryOptions();
        time ??= TimeProvider.System;
        var blind = new List<BlindSpot>();
        var takenAt = time.GetUtcNow();

        if (Libc.geteuid() != 0)
        {
            blind.Add(new BlindSpot(BlindSpotKind.NotRoot,
                "not root: other users' /proc/PID/fd cannot be read, SOCK_DESTROY and setns are unavailable"));
        }

        NamespacePart part;
        if (options.Namespace is null)
        {
            part = Guard(() => ReadNamespacePart(options, time), blind, "reading sockets, settings and counters") ?? NamespacePart.Empty;
        }
        else
        {
            var inside = Guard(() => NetNs.Run(options.Namespace, () => ReadNamespacePart(options, time)), blind, "entering the namespace");
            if (inside is { IsOk: false } failed)
            {
                blind.Add(new BlindSpot(BlindSpotKind.NamespaceUnavailable, "could not enter the network namespace", failed.Error));
            }

            part = inside is { IsOk: true } ok ? ok.Value : NamespacePart.Empty;
        }

        blind.AddRange(part.BlindSpots);

        OwnerScan? scan = null;
        var ownerStats = default(OwnerScanStats);
        if (options.ScanOwners)
        {
            long start = time.GetTimestamp();
            scan = Guard(() => OwnerScanner.Scan(options.OwnerMethod), blind, "scanning socket owners");
            if (scan?.ProcError is LinuxError procError)
            {
                blind.Add(new BlindSpot(BlindSpotKind.OwnersUnavailable, "/proc could not be opened; no socket has an owner", procError));
            }
            else if (scan is not null)
            {
                ownerStats = new OwnerScanStats(time.GetElapsedTime(start), scan.ProcessesScanned, scan.FdsScanned,
                    scan.ProcessesVanished, scan.FdsVanished, scan.ProcessesUnreadable, scan.Method);
                if (scan.ProcessesUnreadable > 0)
                {
                    blind.Add(new BlindSpot(BlindSpotKind.ProcPartlyUnreadable,
                        $"{scan.ProcessesUnreadable} of {scan.ProcessesScanned + scan.ProcessesUnreadable} processes' fd directories were unreadable; their sockets show no owner"));
                }
            }
        }
        else
        {
            blind.Add(new BlindSpot(BlindSpotKind.OwnersNotScanned, "owner scan disabled by option"));
        }

        return new HostSnapshot
        {
            TakenAt = takenAt,
            NetNsInode = part.NetNsInode,
            Sockets = part.Sockets,
            SocketSource = part.Source,
            Owners = scan?.Owners ?? OwnerIndex.Empty,
            Processes = scan?.Processes ?? new Dictionary<int, ProcessInfo>(),
            Settings = part.Settings,
            Counters = part.Counters,
            BlindSpots = [.. blind],
            SocketStats = part.Stats,
            OwnerStats = ownerStats,
        };
    }

    private sealed record NamespacePart(
        ulong NetNsInode,
        ImmutableArray<SocketRecord> Sockets,
        SocketSource Source,
        NetSettings Settings,
        NetCounters Counters,
        SocketReadStats Stats,
        IReadOnlyList<BlindSpot> BlindSpots)
    {
        internal static NamespacePart Empty { get; } = new(0, [], SocketSource.None, new NetSettings(),
            new NetCounters(new Dictionary<string, long>(), new Dictionary<string, long>(), []), default, []);
    }

    // Runs on the thread that is inside the target namespace.
    private static NamespacePart ReadNamespacePart(InventoryOptions options, TimeProvider time)
    {
        var blind = new List<BlindSpot>();
        ulong inode = ProcFdScanner.ReadNetNsInode("/proc/thread-self/ns/net");
        long start = time.GetTimestamp();
        var sockets = new SocketRecordBuffer(EstimateSocketCount(), options.Scratch);
        var (source, calls, bytes) = Guard(() => ReadSockets(options, sockets, blind), blind, "reading sockets");
        var stats = new SocketReadStats(time.GetElapsedTime(start), calls, bytes);

        var settings = Guard(SysctlReader.ReadNetSettings, blind, "reading sysctls") ?? new NetSettings();
        if (settings.Unreadable.Count > 0)
        {
            blind.Add(new BlindSpot(BlindSpotKind.SettingsUnreadable,
                "unreadable sysctls (global ones are invisible from a child namespace): " + string.Join(", ", settings.Unreadable)));
        }

        var counters = Guard(NetCounters.Read, blind, "reading counters")
            ?? new NetCounters(new Dictionary<string, long>(), new Dictionary<string, long>(), ["all"]);
        if (counters.Unreadable.Count > 0)
        {
            blind.Add(new BlindSpot(BlindSpotKind.CountersUnreadable, "unreadable: " + string.Join(", ", counters.Unreadable)));
        }

        return new NamespacePart(inode, sockets.ToImmutableArray(), source, settings, counters, stats, blind);
    }

    private static (SocketSource Source, int Calls, long Bytes) ReadSockets(InventoryOptions options, SocketRecordBuffer into, List<BlindSpot> blind)
    {
        byte[] families = options.IncludeIPv6 ? [AddressFamilies.Inet, AddressFamilies.Inet6] : [AddressFamilies.Inet];
        if (options.Source == SocketSourcePreference.SockDiag)
        {
            var outcome = TryDumpAll(options, families, into, blind);
            if (outcome is not null)
            {
                return (SocketSource.SockDiag, outcome.Value.Calls, outcome.Value.Bytes);
            }

            into.Truncate(0);
        }

        blind.Add(new BlindSpot(BlindSpotKind.ReducedSocketDetail,
            "sockets read from /proc/net/tcp: no cookie, shutdown bits, cgroup id or tcp_info; timers in 10 ms ticks"));
        long total = 0;
        var parsed = new List<SocketRecord>();
        foreach (byte family in families)
        {
            parsed.Clear();
            var read = ProcNetTcp.Read(family, parsed);
            into.AddRange(parsed);
            if (!read.IsOk)
            {
                blind.Add(new BlindSpot(BlindSpotKind.SocketsUnavailable, $"/proc/net/tcp{(family == AddressFamilies.Inet6 ? "6" : "")} unreadable", read.Error));
            }
            else
            {
                total += read.Value.Records;
            }
        }

        return (SocketSource.ProcNetTcp, 0, total);
    }

    // Returns null (after recording why) when the netlink path cannot be used for every family.
    // Sockets the namespace holds right now per sockstat (full sockets of both families plus
    // timewait ones), so the table is allocated once; request sockets are the slack.
    private static int EstimateSocketCount()
    {
        long total = 0;
        foreach (string file in (string[])["/proc/thread-self/net/sockstat", "/proc/thread-self/net/sockstat6"])
        {
            if (ProcFs.TryReadText(file, out _) is not string text)
            {
                continue;
            }

            var counters = new Dictionary<string, long>(StringComparer.Ordinal);
            SockstatParser.Parse(text, counters);
            total += counters.GetValueOrDefault("TCP.inuse") + counters.GetValueOrDefault("TCP.tw") + counters.GetValueOrDefault("TCP6.inuse");
        }

        return (int)Math.Clamp(total + (total / 16) + 256, 1024, 1 << 24);
    }

    /// <summary>
    /// The states a passive close leaves behind (and listeners, request sockets): on large tables they are
    /// dumped on a second thread while the rest is dumped on this one. Most of a dump's cost is the kernel
    /// filling messages in recv (inet_diag.c:inet_sk_diag_fill, tcp_get_info), which then runs on both
    /// cores; each dump walks the established hash once more, which pays only above a few 10⁴ sockets
    /// (<see cref="InventoryOptions.SplitDumpAbove"/>).
    /// </summary>
    internal const TcpStateMask SecondDumpStates =
        TcpStateMask.CloseWait | TcpStateMask.LastAck | TcpStateMask.Closing | TcpStateMask.Listen | TcpStateMask.SynRecv | TcpStateMask.NewSynRecv;

    private static (int Calls, long Bytes)? TryDumpAll(InventoryOptions options, byte[] families, SocketRecordBuffer into, List<BlindSpot> blind)
    {
        // Two dumps when only some states need the extensions (the rest bare), or when a large table
        // is split over two threads; otherwise one.
        bool large = into.Capacity >= options.SplitDumpAbove;
        var (first, firstExtensions, second, secondExtensions) = Partition(options, large);
        if (second == TcpStateMask.None)
        {
            return TryDump(first, firstExtensions, families, into, blind);
        }

        // The netlink socket is opened here, so it belongs to this thread's namespace; the second thread
        // may be anywhere: a dump answers for the namespace of the socket it is asked on.
        var opened = SockDiag.Open();
        if (!opened.IsOk)
        {
            blind.Add(new BlindSpot(BlindSpotKind.SockDiagUnavailable, "cannot open a NETLINK_SOCK_DIAG socket; fell back to /proc/net/tcp", opened.Error));
            return null;
        }

        using var diag = opened.Value;
        if (!large)
        {
            // One thread, two dumps (the first the detailed one): cheaper than a detailed dump of everything.
            var one = TryDump(diag, first, firstExtensions, families, into, blind);
            if (one is null) return null;
            var two = TryDump(diag, second, secondExtensions, families, into, blind);
            if (two is null) return null;
            return (one.Value.Calls + two.Value.Calls, one.Value.Bytes + two.Value.Bytes);
        }

        var secondBuffer = new SocketRecordBuffer(into.Capacity / 2);
        var secondBlind = new List<BlindSpot>();
        (int Calls, long Bytes)? secondResult = null;
        var worker = new Thread(() => secondResult = TryDump(diag, second, secondExtensions, families, secondBuffer, secondBlind))
        {
            IsBackground = true,
            Name = "sock_diag dump (second half)",
        };
        worker.Start();
        var firstResult = TryDump(first, firstExtensions, families, into, blind);
        worker.Join();
        blind.AddRange(secondBlind);
        if (firstResult is null || secondResult is null) return null;
        into.AddRange(secondBuffer);
        return (firstResult.Value.Calls + secondResult.Value.Calls, firstResult.Value.Bytes + secondResult.Value.Bytes);
    }

    /// <summary>
    /// How the states are dumped: the detailed states with the extensions and the rest bare when the
    /// caller wants detail for some states only; else, on a table large enough to split, the
    /// passive-close states apart from the rest (both detailed); else everything in one dump.
    /// </summary>
    internal static (TcpStateMask First, DiagExtensions FirstExtensions, TcpStateMask Second, DiagExtensions SecondExtensions) Partition(InventoryOptions options, bool large)
    {
        var detailed = options.States & options.DetailStates;
        var bare = options.States & ~options.DetailStates;
        if (options.Extensions != DiagExtensions.None && detailed != TcpStateMask.None && bare != TcpStateMask.None)
        {
            return (detailed, options.Extensions, bare, DiagExtensions.None);
        }

        var extensions = detailed == TcpStateMask.None ? DiagExtensions.None : options.Extensions;
        var second = options.States & SecondDumpStates;
        var first = options.States & ~SecondDumpStates;
        return !large || second == TcpStateMask.None || first == TcpStateMask.None
            ? (options.States, extensions, TcpStateMask.None, DiagExtensions.None)
            : (first, extensions, second, extensions);
    }

    private static (int Calls, long Bytes)? TryDump(TcpStateMask states, DiagExtensions extensions, byte[] families, SocketRecordBuffer into, List<BlindSpot> blind)
    {
        var opened = SockDiag.Open();
        if (!opened.IsOk)
        {
            blind.Add(new BlindSpot(BlindSpotKind.SockDiagUnavailable, "cannot open a NETLINK_SOCK_DIAG socket; fell back to /proc/net/tcp", opened.Error));
            return null;
        }

        using var diag = opened.Value;
        return TryDump(diag, states, extensions, families, into, blind);
    }

    private static (int Calls, long Bytes)? TryDump(SockDiag diag, TcpStateMask states, DiagExtensions extensions, byte[] families, SocketRecordBuffer into, List<BlindSpot> blind)
    {
        int calls = 0;
        long bytes = 0;
        var sink = new SocketRecordBuffer.Sink(into);
        if (families.Length > 1)
        {
            // Both families in one walk of the hash tables (the compat request,
            // net/ipv4/inet_diag.c:inet_diag_dump_compat): a per-family dump walks the whole shared
            // established hash for each family, which on a large table is most of its cost.
            var both = diag.Dump(AddressFamilies.Unspecified, states, extensions, ref sink);
            if (both.IsComplete)
            {
                if (both.Interrupted) blind.Add(new BlindSpot(BlindSpotKind.DumpInconsistent, "the kernel flagged the dump as interrupted (NLM_F_DUMP_INTR)"));
                return (both.ReceiveCalls, both.Bytes);
            }

            if (both.Records > 0)
            {
                blind.Add(new BlindSpot(BlindSpotKind.SockDiagUnavailable, $"sock_diag dump ended with {both.Status}; fell back to /proc/net/tcp", both.Error));
                return null;
            }

            // A kernel without the compat request: one dump per family.
            calls += both.ReceiveCalls;
            bytes += both.Bytes;
        }

        foreach (byte family in families)
        {
            var result = diag.Dump(family, states, extensions, ref sink);
            calls += result.ReceiveCalls;
            bytes += result.Bytes;
            if (result.Interrupted)
            {
                blind.Add(new BlindSpot(BlindSpotKind.DumpInconsistent, $"family {family}: the kernel flagged the dump as interrupted (NLM_F_DUMP_INTR)"));
            }

            if (!result.IsComplete)
            {
                // IPv6 disabled or its diag module missing is not a reason to lose IPv4 detail.
                if (family == AddressFamilies.Inet6 && result.Error?.Errno is Errno.ENOENT or Errno.EAFNOSUPPORT or Errno.EPROTONOSUPPORT)
                {
                    blind.Add(new BlindSpot(BlindSpotKind.SocketsUnavailable, "IPv6 sockets unavailable through sock_diag", result.Error));
                    continue;
                }

                blind.Add(new BlindSpot(BlindSpotKind.SockDiagUnavailable,
                    $"sock_diag dump of family {family} ended with {result.Status}; fell back to /proc/net/tcp", result.Error));
                return null;
            }
        }

        return (calls, bytes);
    }

    private static T? Guard<T>(Func<T> stage, List<BlindSpot> blind, string what)
    {
        try
        {
            return stage();
        }
#pragma warning disable CA1031 // A snapshot never throws: an unexpected failure in one stage becomes a blind spot.
        catch (Exception e)
#pragma warning restore CA1031
        {
            blind.Add(new BlindSpot(BlindSpotKind.Unexpected, $"{what}: {e.GetType().Name}: {e.Message}"));
            return default;
        }
    }
}
