using System.Collections.Immutable;
using System.Net;
using Teardown.Linux.Inventory;
using Teardown.Linux.Ledger;
using Teardown.Linux.Owners;
using Teardown.Linux.Proc;
using Teardown.Linux.Settings;
using Teardown.Linux.Sockets;
using Teardown.Server.Snapshots;

namespace Teardown.Server.Tests.Support;

/// <summary>Host snapshots built by hand: a leaky server holding CLOSE_WAIT sockets, as sock_diag reports them.</summary>
internal static class Hosts
{
    internal const int LeakyPid = 4242;

    internal static InetEndpoint Ep(string address, int port) => new(InetAddress.From(IPAddress.Parse(address)), (ushort)port);

    /// <summary>A listener on :8080 and <paramref name="closeWait"/> CLOSE_WAIT sockets held by "leaky" (pid 4242), plus 3 TIME_WAIT toward 10.0.0.9:6379.</summary>
    internal static HostSnapshot Leak(int closeWait, DateTimeOffset? at = null)
    {
        var sockets = ImmutableArray.CreateBuilder<SocketRecord>();
        var owners = new List<KeyValuePair<ulong, SocketOwner>>();
        sockets.Add(new SocketRecord { Source = SocketSource.SockDiag, Family = AddressFamilies.Inet, State = (byte)TcpState.Listen, Local = Ep("0.0.0.0", 8080), Remote = Ep("0.0.0.0", 0), Inode = 99 });
        owners.Add(new(99, new SocketOwner(LeakyPid, 3)));
        for (int i = 0; i < closeWait; i++)
        {
            ulong inode = 1000 + (ulong)i;
            sockets.Add(new SocketRecord
            {
                Source = SocketSource.SockDiag, Family = AddressFamilies.Inet, State = (byte)TcpState.CloseWait,
                Local = Ep("10.0.0.1", 8080), Remote = Ep("10.0.0.2", 40000 + i), Inode = inode, RecvQ = 1,
                TcpInfoLength = 232, LastDataRecvMs = (uint)(600_000 + i * 1000), LastAckRecvMs = (uint)(600_000 + i * 1000), RtoUs = 204_000,
            });
            owners.Add(new(inode, new SocketOwner(LeakyPid, 10 + i)));
        }

        for (int i = 0; i < 3; i++)
        {
            sockets.Add(new SocketRecord
            {
                Source = SocketSource.SockDiag, Family = AddressFamilies.Inet, State = (byte)TcpState.TimeWait,
                Local = Ep("10.0.0.1", 50000 + i), Remote = Ep("10.0.0.9", 6379), Timer = (byte)TimerKind.Timewait, TimerExpiresMs = 30_000,
            });
        }

        return new HostSnapshot
        {
            TakenAt = at ?? new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero),
            NetNsInode = 4026531840,
            Sockets = sockets.ToImmutable(),
            SocketSource = SocketSource.SockDiag,
            Owners = OwnerIndex.From(owners),
            Processes = new Dictionary<int, ProcessInfo>
            {
                [LeakyPid] = new(LeakyPid, "leaky", "/usr/bin/leaky", "/system.slice/leaky.service", new FileLimit(1024, 4096), 20 + closeWait, 1 + closeWait, 4026531840),
            },
            Settings = new NetSettings { TcpFinTimeout = 60, LocalPortLow = 32768, LocalPortHigh = 60999, TcpMaxOrphans = 65536, TcpMaxTwBuckets = 262144 },
            Counters = new NetCounters(new Dictionary<string, long> { ["TcpExt.TCPAbortOnData"] = 7, ["TcpExt.TCPAbortOnTimeout"] = 2, ["TcpExt.TCPTimeWaitOverflow"] = 0 },
                new Dictionary<string, long> { ["TCP.orphan"] = 0, ["TCP.tw"] = 3 }, []),
            BlindSpots = [],
            OwnerStats = new OwnerScanStats(TimeSpan.FromMilliseconds(3), 1, 20 + closeWait, 0, 0, 0, "BPF task_file iterator"),
            // Earlier, teardown released two of leaky's connections (it still holds both descriptors), killed one orphan and skipped one.
            ActionTotals = LedgerTotals.Empty.Add([Acted(1, LedgerAction.Release, LedgerOutcome.Released), Acted(2, LedgerAction.Release, LedgerOutcome.Released),
                Acted(3, LedgerAction.Kill, LedgerOutcome.Killed, owned: false), Acted(4, LedgerAction.Release, LedgerOutcome.Skipped)]),
            HeldAfterAction = [Acted(1, LedgerAction.Release, LedgerOutcome.Released), Acted(2, LedgerAction.Release, LedgerOutcome.Released)],
        };
    }

    /// <summary>A ledger line: a socket of leaky's (fd 900 + n) or an orphan acted on.</summary>
    internal static LedgerEntry Acted(int n, LedgerAction action, LedgerOutcome outcome, bool owned = true) =>
        new(new DateTimeOffset(2026, 12, 6, 19, 0, n, TimeSpan.Zero), action, outcome, outcome == LedgerOutcome.Skipped ? "state moved on" : null, null,
            4026531840, 0x5000 + (ulong)n, "10.0.0.1:8080", $"10.0.0.2:{39000 + n}", owned ? 5000 + (ulong)n : 0, "CLOSE_WAIT", "close-wait-unread-eof",
            owned ? LeakyPid : null, owned ? 900 + n : null, owned ? "leaky" : null, 0, 77);
}

/// <summary>A snapshot source that serves what a test sets, or fails when told to; counts the reads.</summary>
internal sealed class ScriptedSource(HostSnapshot first) : ISnapshotSource
{
    private int _reads;

    /// <summary>What the next read returns.</summary>
    internal HostSnapshot Next { get; set; } = first;

    /// <summary>When set, the next reads throw this.</summary>
    internal Exception? Failure { get; set; }

    /// <summary>Reads so far.</summary>
    internal int Reads => Volatile.Read(ref _reads);

    public IReadOnlyList<HostSnapshot> Take()
    {
        Interlocked.Increment(ref _reads);
        if (Failure is Exception e) throw e;
        return [Next];
    }
}
