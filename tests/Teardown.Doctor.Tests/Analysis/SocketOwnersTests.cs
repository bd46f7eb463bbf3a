using Teardown.Doctor.Analysis;
using Teardown.Doctor.Export;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Owners;
using Teardown.Linux.Sockets;
using Teardown.Doctor.Tests.Support;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests.Analysis;

/// <summary>Owners looked up once and shared by the analysis and the export view change nothing they report.</summary>
public sealed class SocketOwnersTests
{
    /// <summary>A leak (CLOSE_WAIT held by pid 10, peers orphaned FIN_WAIT2), a socket whose process was not seen, TIME_WAIT.</summary>
    private static DoctorInput Host()
    {
        var sockets = new List<SocketRecord> { Listen(8080) };
        var owners = new Dictionary<ulong, SocketOwner>();
        for (int i = 0; i < 20; i++)
        {
            ulong inode = 1000 + (ulong)i;
            sockets.Add(Socket(TcpState.CloseWait, "127.0.0.1:8080", $"127.0.0.1:{40000 + i}", inode, recvQ: 1, quietMs: 5000));
            sockets.Add(Socket(TcpState.FinWait2, $"127.0.0.1:{40000 + i}", "127.0.0.1:8080", 0, timer: TimerKind.Keepalive, timerMs: 60_000, quietMs: 5000));
            owners[inode] = new SocketOwner(10, 3 + i);
        }

        sockets.Add(Socket(TcpState.CloseWait, "127.0.0.1:8080", "127.0.0.1:45000", 4242, recvQ: 1, quietMs: 9000)); // unseen owner
        sockets.Add(Socket(TcpState.TimeWait, "127.0.0.1:50000", "127.0.0.1:6379", timer: TimerKind.Timewait, timerMs: 30_000));
        return Records.Input(sockets, owners, [Process(10, "leaky", 40, 1024)]);
    }

    private static string Json(DoctorReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(stream))
        {
            ReportJson.WriteReport(w, report);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Every_socket_gets_its_first_owner_or_none()
    {
        var input = Host();
        var owners = SocketOwners.Of(input);
        for (int i = 0; i < input.Sockets.Length; i++)
        {
            var s = input.Sockets[i];
            bool owned = s.Inode != 0 && input.Owners.TryGetOwner(s.Inode, out var o);
            Assert.Equal(owned ? (10, 3 + (int)(s.Inode - 1000)) : (0, 0), (owners.Pids[i], owners.Fds[i]));
        }
    }

    [Fact]
    public void The_analysis_reports_the_same_with_shared_owners_and_ignores_owners_of_another_table()
    {
        var input = Host();
        var index = SocketIndex.Build(input.Sockets, input.Settings);
        string alone = Json(DoctorAnalysis.Analyze(input, DoctorFilter.None, index));
        string shared = Json(DoctorAnalysis.Analyze(input, DoctorFilter.None, index, SocketOwners.Of(input)));
        var other = Records.Input([Socket(TcpState.Established, "127.0.0.1:1", "127.0.0.1:2", 7)]);
        string foreign = Json(DoctorAnalysis.Analyze(input, DoctorFilter.None, index, SocketOwners.Of(other)));

        Assert.Equal(alone, shared);
        Assert.Equal(alone, foreign);
        Assert.Contains("leaky", alone, StringComparison.Ordinal);
    }

    [Fact]
    public void The_export_view_is_the_same_with_shared_owners()
    {
        var input = Host();
        var index = SocketIndex.Build(input.Sockets, input.Settings);
        var owners = SocketOwners.Of(input);
        var report = DoctorAnalysis.Analyze(input, DoctorFilter.None, index, owners);

        var alone = ExportViewBuilder.Build([new AnalysedNamespace(input, index, report)]);
        var shared = ExportViewBuilder.Build([new AnalysedNamespace(input, index, report, owners)]);

        Assert.Equal(alone.Groups.ToArray(), shared.Groups.ToArray());
        Assert.Equal(alone.CloseWaitAges.ToArray(), shared.CloseWaitAges.ToArray());
        Assert.Equal(alone.Owners.ToArray(), shared.Owners.ToArray());
        // The socket whose process was not seen is "?", the orphans and TIME_WAIT "none".
        Assert.Contains(shared.Groups, g => g.Command == "?" && g.Count == 1);
        Assert.Contains(shared.Groups, g => g.Command == "leaky" && g.Count == 20);
        Assert.Contains(shared.Groups, g => g.Command == "none" && g.State == TcpState.FinWait2 && g.Count == 20);
    }
}
