using Teardown.Model.Kernel;
using Teardown.Model.Simulation;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Calls;

/// <summary>Descriptor numbers (fs/file.c:alloc_fd) and the order in which process exit closes them.</summary>
public sealed class ProcessExitTests
{
    private static readonly uint ClientAddr = Addr.Parse("10.0.0.1");
    private static readonly uint ServerAddr = Addr.Parse("10.0.0.2");

    [Fact]
    public void ANewDescriptorIsTheLowestFree()
    {
        var sim = new Simulator(new DeterministicRandom(1));
        Host host = sim.AddHost("h", ClientAddr);
        int a = (int)host.Listen(80).Value;
        int b = (int)host.Listen(81).Value;
        int c = (int)host.Listen(82).Value;

        host.Close(b);

        Assert.Equal((3, 4, 5), (a, b, c));
        Assert.Equal(4, (int)host.Listen(83).Value);
        Assert.Equal(6, (int)host.Listen(84).Value);
    }

    [Fact]
    public void ExitClosesTheHighestDescriptorFirst()
    {
        // fs/file.c:close_files walks upwards but queues each final fput with task_work_add, and
        // kernel/task_work.c:task_work_run runs the newest first. Seen on 6.18: fds 4..7 sent FINs 7, 6, 5, 4.
        var recorder = new Recorder();
        var sim = new Simulator(new DeterministicRandom(1), recorder);
        Host client = sim.AddHost("client", ClientAddr);
        Host server = sim.AddHost("server", ServerAddr);
        server.Listen(80);
        var ports = new List<ushort>();
        for (int i = 0; i < 3; i++)
        {
            client.Connect(ServerAddr, 80, out int fd);
            ports.Add(client.TupleOf(fd)!.Value.LocalPort);
        }

        sim.RunUntil(new SimTime(10_000));
        int before = recorder.Segments.Count;

        client.Kill();

        List<ushort> finOrder = recorder.Segments.Skip(before).Where(w => w.From == client && (w.Segment.Flags & TcpFlags.Fin) != 0)
            .Select(w => w.Segment.SrcPort).ToList();
        Assert.Equal(ports.AsEnumerable().Reverse(), finOrder);
    }
}
