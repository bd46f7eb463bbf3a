using System.Collections.Immutable;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;

namespace Teardown.Doctor.Analysis;

/// <summary>One socket of a finding, as <c>doctor --sockets</c> lists it: ss's columns plus class and owner.</summary>
/// <param name="State">State as ss names it (CLOSE-WAIT).</param>
/// <param name="RecvQ">Recv-Q bytes (an unread FIN counts 1).</param>
/// <param name="SendQ">Send-Q bytes.</param>
/// <param name="Local">Local address:port.</param>
/// <param name="Remote">Peer address:port.</param>
/// <param name="Class">Why it is stuck.</param>
/// <param name="Pid">Owning process, 0 when no process holds it.</param>
/// <param name="Comm">The owner's task name, when known.</param>
/// <param name="Fd">The owner's descriptor number, when owned.</param>
/// <param name="Inode">Socket inode (0: no descriptor).</param>
/// <param name="Timer">Timer as ss names it (on, keepalive, timewait, persist), null when none.</param>
/// <param name="TimerMs">ms until the timer fires.</param>
public readonly record struct StuckSocket(string State, uint RecvQ, uint SendQ, string Local, string Remote, SocketClass Class,
    int Pid, string? Comm, int? Fd, ulong Inode, string? Timer, uint TimerMs);

/// <summary>
/// The sockets behind a report's findings, one by one: the same table, filter and classes as
/// <see cref="DoctorAnalysis.Analyze"/>, kept to the classes the findings are about.
/// </summary>
public static class StuckSockets
{
    /// <summary>Lists the sockets of <paramref name="report"/>'s findings, in table order.</summary>
    public static ImmutableArray<StuckSocket> Of(DoctorInput input, DoctorReport report, SocketIndex? prebuilt = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(report);
        var wanted = report.Findings.Select(f => f.Class).ToHashSet();
        var index = prebuilt is not null && prebuilt.Sockets == input.Sockets ? prebuilt : SocketIndex.Build(input.Sockets, input.Settings);
        var rows = ImmutableArray.CreateBuilder<StuckSocket>();
        var sockets = input.Sockets.AsSpan();
        for (int i = 0; i < sockets.Length; i++)
        {
            ref readonly var s = ref sockets[i];
            if (s.KernelState == TcpState.Listen || !wanted.Contains(index.Classes[i])) continue;
            if (report.Filter.Port is int port && s.Local.Port != port && s.Remote.Port != port) continue;
            Teardown.Linux.Owners.SocketOwner owner = default;
            bool owned = s.Inode != 0 && input.Owners.TryGetOwner(s.Inode, out owner);
            int pid = owned ? owner.Pid : 0;
            if (report.Filter.Pid is int only && pid != only) continue;
            string? comm = owned && input.Processes.TryGetValue(pid, out var process) ? process.Comm : null;
            rows.Add(new StuckSocket(s.KernelState.ToSsName(), s.RecvQ, s.SendQ, s.Local.ToString(), s.Remote.ToString(), index.Classes[i],
                pid, comm, owned ? owner.Fd : null, s.Inode, ((TimerKind)s.Timer).ToSsName(), s.TimerExpiresMs));
        }

        return rows.ToImmutable();
    }
}
