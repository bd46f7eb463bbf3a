using System.Collections.Immutable;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Analysis;

/// <summary>What building a finding needs beyond its own group: the table, owners and totals.</summary>
internal sealed record FindingContext(
    DoctorInput Input,
    ImmutableArray<SocketRecord> Sockets,
    int[] Pids,
    int[] Fds,
    int[] Peers,
    SocketClass[] Classes,
    ImmutableArray<PortUsage> PortUsage,
    int PortRangeSize,
    int TimewaitBuckets)
{
    /// <summary>net.ipv4.tcp_fin_timeout, or Linux's default 60 s when unreadable.</summary>
    internal int FinTimeout => Input.Settings.TcpFinTimeout ?? 60;

    /// <summary>The host's sysctls as the model's settings (forecasts clone it; never modified).</summary>
    internal Teardown.Model.Kernel.KernelSettings ModelSettings { get; } = Forecast.ModelSettings.From(Input.Settings);
}
