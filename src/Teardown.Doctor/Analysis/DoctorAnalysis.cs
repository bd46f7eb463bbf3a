using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Analysis;

/// <summary>
/// The doctor: a pure function from one namespace's sockets, owners and settings to findings.
/// Two passes over the table, no per-socket allocation: the first (<see cref="SocketIndex"/>, which
/// needs no owners and can run during the owner scan) classifies every socket and pairs both ends
/// of a same-namespace connection; the second attributes owners and folds the filtered sockets
/// into groups, which <see cref="FindingBuilder"/> turns into findings.
/// </summary>
public static class DoctorAnalysis
{
    /// <summary>Linux's default ip_local_port_range (net/ipv4/af_inet.c:inet_init_net).</summary>
    internal const int DefaultPortLow = 32768, DefaultPortHigh = 60999;

    /// <summary>
    /// Classes the kernel frees on its own within a bounded time: TIME_WAIT (TCP_TIMEWAIT_LEN) and
    /// orphans on a timer (FIN_WAIT2 by tcp_fin_timeout; FIN_WAIT1, CLOSING, LAST_ACK by orphan retries).
    /// Their number toward a destination levels off at creation rate × lifetime instead of growing.
    /// </summary>
    internal static bool IsReapedByKernel(SocketClass c) => c is SocketClass.TimeWait or SocketClass.FinWait2Orphaned
        or SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned;

    /// <summary>Size of ip_local_port_range, Linux's default when the sysctl could not be read.</summary>
    internal static int PortRangeSize(Teardown.Linux.Settings.NetSettings settings) =>
        Math.Max(0, (settings.LocalPortHigh ?? DefaultPortHigh) - (settings.LocalPortLow ?? DefaultPortLow) + 1);

    /// <summary>Analyses one namespace.</summary>
    // A one-shot CLI runs this once over ~10^5 sockets: compile it optimized at once instead of
    // starting in tier-0 and waiting for on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <param name="input">One namespace's sockets, owners and settings.</param>
    /// <param name="filter">Which sockets to report on.</param>
    /// <param name="prebuilt">Pass 1 if already done (e.g. during the owner scan); ignored when built for another table.</param>
    /// <param name="owners">Every socket's owner if already looked up (the server shares it with the export view); ignored when built for another table.</param>
    public static DoctorReport Analyze(DoctorInput input, DoctorFilter? filter = null, SocketIndex? prebuilt = null, SocketOwners? owners = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        filter ??= DoctorFilter.None;
        var sockets = input.Sockets.AsSpan();
        // Pass 1 (owner-independent, possibly done already while owners were being scanned).
        var index = prebuilt is not null && prebuilt.Sockets == input.Sockets ? prebuilt : SocketIndex.Build(input.Sockets, input.Settings);
        var classes = index.Classes;
        var sides = index.Sides;
        var peers = index.Peers;
        // Owners of every socket, filtered or not: a grouped socket's peer may be filtered out.
        var owned = SocketOwners.For(input, owners);
        var pids = owned.Pids;
        var fds = owned.Fds;

        // Pass 2: filter, count, group.
        var stateCounts = new int[16];
        var classCounts = new int[ClassNames.All.Count];
        var groups = new StructMap<GroupKey, GroupAccumulator?>();
        var ports = new StructMap<InetEndpoint, (int InUse, int TimeWait, int Reaped)>(1024);
        int total = 0, twBuckets = 0;
        for (int i = 0; i < sockets.Length; i++)
        {
            ref readonly var s = ref sockets[i];
            if (filter.Port is int port && s.Local.Port != port && s.Remote.Port != port)
            {
                continue;
            }

            if (filter.Pid is int pid && pids[i] != pid)
            {
                continue;
            }

            total++;
            stateCounts[s.State & 15]++;
            if (s.KernelState == TcpState.Listen)
            {
                continue;
            }

            var c = classes[i];
            classCounts[(int)c]++;

            if (s.Timer == (byte)TimerKind.Timewait)
            {
                twBuckets++;
            }

            if (sides[i] == Side.Client)
            {
                ref var use = ref ports.GetOrAdd(s.Remote);
                use.InUse++;
                if (c == SocketClass.TimeWait)
                {
                    use.TimeWait++;
                }

                if (IsReapedByKernel(c))
                {
                    use.Reaped++;
                }
            }

            if (c is SocketClass.Established or SocketClass.Opening or SocketClass.BoundOnly or SocketClass.Other)
            {
                continue;
            }

            var key = GroupKey.Of(c, sides[i], pids[i], in s);
            ref var slot = ref groups.GetOrAdd(key);
            var acc = slot ??= new GroupAccumulator();
            acc.Add(in s, i);
            if (peers[i] > 0)
            {
                int peer = peers[i] - 1;
                acc.AddPeer(classes[peer], pids[peer]);
            }
        }

        int rangeSize = PortRangeSize(input.Settings);
        var portUsage = ports.Entries()
            .Select(p => new PortUsage(p.Key.ToString(), p.Value.InUse, p.Value.TimeWait, rangeSize, p.Value.Reaped))
            .OrderByDescending(p => p.InUse).ThenBy(p => p.Destination, StringComparer.Ordinal)
            .Take(10).ToImmutableArray();

        var context = new FindingContext(input, input.Sockets, pids, fds, peers, classes, portUsage, rangeSize, twBuckets);
        var findings = groups.Entries()
            .Select(g => FindingBuilder.Build(g.Key, g.Value!, context))
            .OfType<Finding>()
            .OrderByDescending(f => f.Severity).ThenByDescending(f => f.Count)
            .ThenBy(f => f.Class).ThenBy(f => f.Service, StringComparer.Ordinal).ThenBy(f => f.Owner?.Pid ?? 0)
            .ToImmutableArray();

        var classDict = ImmutableDictionary.CreateBuilder<SocketClass, int>();
        for (int c = 0; c < classCounts.Length; c++)
        {
            if (classCounts[c] > 0)
            {
                classDict[(SocketClass)c] = classCounts[c];
            }
        }

        return new DoctorReport
        {
            TakenAt = input.TakenAt,
            NetNsInode = input.NetNsInode,
            Source = input.Source,
            Findings = findings,
            StateCounts = [.. stateCounts],
            ClassCounts = classDict.ToImmutable(),
            Total = total,
            PortUsage = portUsage,
            BlindSpots = input.BlindSpots,
            Filter = filter,
            Cost = input.Cost,
            HeldAfterAction = HeldAfterActionBuilder.Build(input, filter),
        };
    }
}
