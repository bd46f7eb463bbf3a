using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Export;

/// <summary>One namespace's input, its pass-1 index and the doctor's report on it.</summary>
/// <param name="Input">What was read.</param>
/// <param name="Index">Classes and sides of every socket (the same pass-1 index the analysis used).</param>
/// <param name="Report">The analysis.</param>
/// <param name="Owners">Every socket's owner, when the analysis looked them up already (null: looked up again).</param>
public sealed record AnalysedNamespace(DoctorInput Input, SocketIndex Index, DoctorReport Report, SocketOwners? Owners = null);

/// <summary>Builds the <see cref="ExportView"/> of a snapshot. Pure.</summary>
public static class ExportViewBuilder
{
    /// <summary>Default bound on label values per label.</summary>
    public const int DefaultTop = 20;

    /// <summary>The view of every namespace read, summed.</summary>
    /// <param name="namespaces">Each namespace with its index and report.</param>
    /// <param name="top">Label values kept per label; the rest become <see cref="ExportView.Other"/>.</param>
    /// <param name="excludePid">A process left out of the owner rows: the exporter itself.</param>
    public static ExportView Build(IReadOnlyList<AnalysedNamespace> namespaces, int top = DefaultTop, int? excludePid = null)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var states = new int[16];
        // Keys without strings: a host of 150,000 sockets has a few hundred distinct groups and
        // destinations, and only those become label text (once each, below).
        var groups = new Dictionary<RawGroup, int>();
        var closeWait = ImmutableArray.CreateBuilder<double>();
        var finWait2 = ImmutableArray.CreateBuilder<double>();
        var oldest = new Dictionary<(TcpState, SocketClass), double>();
        var ports = new Dictionary<InetEndpoint, (int InUse, int Held, int TimeWait)>();
        var processes = new Dictionary<int, Teardown.Linux.Proc.ProcessInfo>();

        foreach (var ns in namespaces)
        {
            var input = ns.Input;
            var sockets = input.Sockets.AsSpan();
            var classes = ns.Index.Classes;
            var sides = ns.Index.Sides;
            if (ns.Index.Sockets != input.Sockets) throw new ArgumentException("the index must describe the input's socket table", nameof(namespaces));
            var pids = SocketOwners.For(input, ns.Owners).Pids;
            foreach (var (pid, info) in input.Processes) processes.TryAdd(pid, info);

            for (int i = 0; i < sockets.Length; i++)
            {
                ref readonly var s = ref sockets[i];
                states[s.State & 15]++;
                if (s.KernelState == TcpState.Listen) continue;

                var c = classes[i];
                var side = sides[i];
                // Owner: a pid, NoProcess (no descriptor: orphans, TIME_WAIT) or UnseenProcess (a descriptor whose process was not seen).
                int owner = s.Inode == 0 ? NoProcess : pids[i] != 0 ? pids[i] : UnseenProcess;
                var service = side switch
                {
                    Side.Server => new InetEndpoint(default, s.Local.Port),
                    Side.Client => s.Remote,
                    _ => default,
                };
                var key = new RawGroup(s.KernelState, c, side, service, owner);
                CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out _)++;

                if (s.TcpInfoLength > 0 && s.KernelState is TcpState.CloseWait or TcpState.FinWait2)
                {
                    // Quiet time: since the last segment of any kind (the FIN, or the ACK of ours), as the doctor's examples show it.
                    double age = Math.Min(s.LastDataRecvMs, s.LastAckRecvMs) / 1000.0;
                    (s.KernelState == TcpState.CloseWait ? closeWait : finWait2).Add(age);
                    if (IsStuck(c))
                    {
                        ref double max = ref CollectionsMarshal.GetValueRefOrAddDefault(oldest, (s.KernelState, c), out _);
                        max = Math.Max(max, age);
                    }
                }

                if (side == Side.Client)
                {
                    ref var use = ref CollectionsMarshal.GetValueRefOrAddDefault(ports, s.Remote, out _);
                    use.InUse++;
                    if (!DoctorAnalysis.IsReapedByKernel(c)) use.Held++;
                    if (c == SocketClass.TimeWait) use.TimeWait++;
                }
            }
        }

        var labelled = new Dictionary<(TcpState, SocketClass, Side, string, string), int>();
        foreach (var (g, n) in groups)
        {
            string command = g.Owner switch
            {
                NoProcess => "none",
                UnseenProcess => "?",
                _ => processes.TryGetValue(g.Owner, out var p) ? p.Comm ?? "?" : "?",
            };
            string service = g.Side switch
            {
                Side.Server => $":{g.Service.Port}",
                Side.Client => g.Service.ToString(),
                _ => "unknown",
            };
            var key = (g.State, g.Class, g.Side, service, command);
            labelled[key] = labelled.GetValueOrDefault(key) + n;
        }

        var findings = namespaces.SelectMany(n => n.Report.Findings).ToList();
        var stuckByPid = findings.Where(f => f.Owner is not null).GroupBy(f => f.Owner!.Pid).ToDictionary(g => g.Key, g => g.Sum(f => f.Count));

        return new ExportView
        {
            States = [.. states],
            Groups = Bound(labelled, top),
            CloseWaitAges = closeWait.ToImmutable(),
            FinWait2Ages = finWait2.ToImmutable(),
            Oldest = oldest.ToImmutableDictionary(),
            Owners = Owners(processes.Values.Where(p => p.Pid != excludePid), stuckByPid, top),
            PortRangeSize = namespaces.Count == 0 ? 0 : DoctorAnalysis.PortRangeSize(namespaces[0].Input.Settings),
            Destinations = Destinations(ports.ToDictionary(p => p.Key.ToString(), p => p.Value, StringComparer.Ordinal), top),
            Findings = [.. findings.GroupBy(f => (f.Severity, f.Class)).Select(g => new FindingTally(g.Key.Severity, g.Key.Class, g.Count(), g.Sum(f => f.Count)))
                .OrderByDescending(t => t.Severity).ThenBy(t => t.Class)],
        };
    }

    private const int NoProcess = 0, UnseenProcess = -1;

    /// <summary>A group before its labels are written out.</summary>
    private readonly record struct RawGroup(TcpState State, SocketClass Class, Side Side, InetEndpoint Service, int Owner);

    /// <summary>Classes that mean a connection is stuck rather than merely closing or open.</summary>
    internal static bool IsStuck(SocketClass c) => c is not (SocketClass.Established or SocketClass.Opening or SocketClass.BoundOnly or SocketClass.Other or SocketClass.TimeWait);

    /// <summary>
    /// Keeps the <paramref name="top"/> services and commands with the most sockets; every group of
    /// another service or command is relabelled <see cref="ExportView.Other"/> and summed, so the
    /// number of series is bounded by states × classes × sides × (top + 1)² whatever the host holds.
    /// </summary>
    private static ImmutableArray<SocketGroup> Bound(Dictionary<(TcpState State, SocketClass Class, Side Side, string Service, string Command), int> groups, int top)
    {
        var services = TopKeys(groups.GroupBy(g => g.Key.Service).Select(g => (g.Key, g.Sum(x => x.Value))), top);
        var commands = TopKeys(groups.GroupBy(g => g.Key.Command).Select(g => (g.Key, g.Sum(x => x.Value))), top);
        var bounded = new Dictionary<(TcpState, SocketClass, Side, string, string), int>();
        foreach (var ((state, c, side, service, command), n) in groups)
        {
            var key = (state, c, side, services.Contains(service) ? service : ExportView.Other, commands.Contains(command) ? command : ExportView.Other);
            bounded[key] = bounded.GetValueOrDefault(key) + n;
        }

        return [.. bounded.Select(b => new SocketGroup(b.Key.Item1, b.Key.Item2, b.Key.Item3, b.Key.Item4, b.Key.Item5, b.Value))
            .OrderBy(g => g.State).ThenBy(g => g.Class).ThenBy(g => g.Side).ThenBy(g => g.Service, StringComparer.Ordinal).ThenBy(g => g.Command, StringComparer.Ordinal)];
    }

    private static HashSet<string> TopKeys(IEnumerable<(string Key, int Count)> counts, int top) =>
        [.. counts.OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal).Take(top).Select(c => c.Key)];

    private static ImmutableArray<OwnerRow> Owners(IEnumerable<Teardown.Linux.Proc.ProcessInfo> processes, Dictionary<int, int> stuckByPid, int top)
    {
        var rows = processes.Select(p => new OwnerRow(p.Pid, p.Comm ?? "?", CgroupIdentity.Parse(p.CgroupPath), p.FdCount,
            p.NoFileLimit?.Soft, stuckByPid.GetValueOrDefault(p.Pid))).ToList();
        var byStuck = rows.Where(r => r.StuckSockets > 0).OrderByDescending(r => r.StuckSockets).ThenBy(r => r.Pid).Take(top);
        var byFds = rows.OrderByDescending(r => r.OpenFds).ThenBy(r => r.Pid).Take(top);
        return [.. byStuck.Union(byFds).OrderByDescending(r => r.StuckSockets).ThenByDescending(r => r.OpenFds).ThenBy(r => r.Pid)];
    }

    private static ImmutableArray<DestinationPorts> Destinations(Dictionary<string, (int InUse, int Held, int TimeWait)> ports, int top)
    {
        var ordered = ports.OrderByDescending(p => p.Value.InUse).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var kept = ordered.Take(top).Select(p => new DestinationPorts(p.Key, p.Value.InUse, p.Value.Held, p.Value.TimeWait)).ToList();
        var rest = ordered.Skip(top).ToList();
        if (rest.Count > 0)
        {
            kept.Add(new DestinationPorts(ExportView.Other, rest.Sum(r => r.Value.InUse), rest.Sum(r => r.Value.Held), rest.Sum(r => r.Value.TimeWait)));
        }

        return [.. kept];
    }
}
