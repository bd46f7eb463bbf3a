using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Export;
using Teardown.Doctor.Input;
using Teardown.Linux.Owners;
using Teardown.Linux.Proc;
using Teardown.Linux.Sockets;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests.Export;

public sealed class ExportViewTests
{
    private const int Leaky = 100, Pool = 200;

    /// <summary>A leaky server (CLOSE_WAIT on :8080), a client pool toward 40 distinct backends, TIME_WAIT toward one.</summary>
    private static (DoctorInput Input, List<SocketRecord> Sockets) Host()
    {
        var sockets = new List<SocketRecord> { Listen(8080) };
        var owners = new Dictionary<ulong, SocketOwner>();
        ulong inode = 1000;
        for (int i = 0; i < 30; i++)
        {
            sockets.Add(Socket(TcpState.CloseWait, "10.0.0.1:8080", $"10.0.0.2:{40000 + i}", inode, recvQ: 1, quietMs: (uint)(1000 * (i + 1))));
            owners[inode] = new SocketOwner(Leaky, 10 + i);
            inode++;
        }

        for (int b = 0; b < 40; b++)
        {
            // Backend b gets b + 1 connections, so that the busiest are the last ones.
            for (int c = 0; c <= b; c++)
            {
                sockets.Add(Socket(TcpState.Established, $"10.0.0.1:{33000 + b * 50 + c}", $"10.1.0.{b}:5432", inode));
                owners[inode] = new SocketOwner(Pool, 100 + b * 50 + c);
                inode++;
            }
        }

        for (int i = 0; i < 12; i++)
        {
            sockets.Add(Socket(TcpState.TimeWait, $"10.0.0.1:{50000 + i}", "10.9.9.9:6379", timer: TimerKind.Timewait, timerMs: 30_000));
        }

        var processes = new[]
        {
            new ProcessInfo(Leaky, "leaky", "/usr/bin/leaky", "/system.slice/docker-" + new string('a', 64) + ".scope", new FileLimit(1024, 4096), 900, 31, 0),
            new ProcessInfo(Pool, "pool", "/usr/bin/pool", "/", new FileLimit(null, null), 900, 820, 0),
        };
        return (Teardown.Doctor.Tests.Support.Records.Input(sockets, owners, processes), sockets);
    }

    private static ExportView View(DoctorInput input, int top = 20, int? excludePid = null)
    {
        var index = SocketIndex.Build(input.Sockets, input.Settings);
        return ExportViewBuilder.Build([new AnalysedNamespace(input, index, DoctorAnalysis.Analyze(input, prebuilt: index))], top, excludePid);
    }

    [Fact]
    public void Every_socket_is_counted_once_by_state_and_every_non_listening_one_in_a_group()
    {
        var (input, sockets) = Host();
        var view = View(input);
        Assert.Equal(sockets.Count, view.States.Sum());
        Assert.Equal(30, view.States[(int)TcpState.CloseWait]);
        Assert.Equal(1, view.States[(int)TcpState.Listen]);
        Assert.Equal(sockets.Count - 1, view.Groups.Sum(g => g.Count));
        var leak = Assert.Single(view.Groups, g => g.State == TcpState.CloseWait);
        Assert.Equal((SocketClass.CloseWaitUnreadEof, Side.Server, ":8080", "leaky", 30), (leak.Class, leak.Side, leak.Service, leak.Command, leak.Count));
        Assert.Contains(view.Groups, g => g.Class == SocketClass.TimeWait && g.Command == "none" && g.Count == 12);
    }

    [Fact]
    public void Services_beyond_the_top_are_summed_as_other_so_series_stay_bounded()
    {
        var (input, sockets) = Host();
        var view = View(input, top: 5);
        var services = view.Groups.Select(g => g.Service).Distinct().ToList();
        Assert.True(services.Count <= 6, string.Join(", ", services));
        Assert.Contains(ExportView.Other, services);
        Assert.Contains("10.1.0.39:5432", services); // the busiest backend keeps its own series
        Assert.Equal(sockets.Count - 1, view.Groups.Sum(g => g.Count)); // nothing lost, only summed
        Assert.True(view.Destinations.Length <= 6);
        Assert.Equal(ExportView.Other, view.Destinations[^1].Destination);
        Assert.Equal(sockets.Count(s => s.KernelState is not (TcpState.Listen or TcpState.CloseWait)), view.Destinations.Sum(d => d.InUse));
    }

    [Fact]
    public void Ages_and_the_oldest_come_from_the_time_since_the_last_segment()
    {
        var view = View(Host().Input);
        Assert.Equal(30, view.CloseWaitAges.Length);
        Assert.Equal(30.0, view.Oldest[(TcpState.CloseWait, SocketClass.CloseWaitUnreadEof)]);
        Assert.Empty(view.FinWait2Ages);
    }

    [Fact]
    public void Owners_carry_descriptors_limit_container_and_stuck_sockets_and_the_exporter_is_left_out()
    {
        var view = View(Host().Input, excludePid: Pool);
        var leaky = Assert.Single(view.Owners);
        Assert.Equal((Leaky, "leaky", "aaaaaaaaaaaa", 900, 1024L, 30), (leaky.Pid, leaky.Command, leaky.Identity.Container, leaky.OpenFds, leaky.FdLimit, leaky.StuckSockets));
    }

    [Fact]
    public void Ports_held_exclude_what_the_kernel_reaps()
    {
        var view = View(Host().Input, top: 50);
        var redis = Assert.Single(view.Destinations, d => d.Destination == "10.9.9.9:6379");
        Assert.Equal((12, 0, 12), (redis.InUse, redis.Held, redis.TimeWait));
        var busiest = view.Destinations[0];
        Assert.Equal(("10.1.0.39:5432", 40, 40), (busiest.Destination, busiest.InUse, busiest.Held));
        Assert.Equal(60999 - 32768 + 1, view.PortRangeSize);
    }

    [Fact]
    public void Findings_are_tallied_by_severity_and_class()
    {
        var view = View(Host().Input);
        var leak = Assert.Single(view.Findings, f => f.Class == SocketClass.CloseWaitUnreadEof);
        Assert.Equal((1, 30), (leak.Findings, leak.Sockets));
    }
}
