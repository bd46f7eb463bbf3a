using Teardown.Model.Rules;
using Teardown.Model.Kernel;
using Teardown.Model.Simulation;

namespace Teardown.Model.Tests.Harness;

/// <summary>
/// A packetdrill-style script around one connection end (style-anchors §8): two hosts joined by a 0.5 ms
/// link, the end under test on <see cref="Local"/>, its peer on <see cref="Peer"/>. Fixtures reach a state
/// through real calls, then usually cut the wire (<see cref="Isolate"/>) so that the test alone speaks for
/// the peer: it injects crafted segments relative to rcv_nxt / snd_nxt and checks what Local sent back.
/// Segments Local sends while isolated are still recorded (as dropped), so they can be asserted.
/// </summary>
public sealed class TcpScript
{
    public const int ServerPort = 80;
    public static readonly uint LocalAddr = Addr.Parse("10.0.0.1");
    public static readonly uint PeerAddr = Addr.Parse("10.0.0.2");
    public static readonly SimDuration OneWayDelay = new(500); // 0.5 ms: RTT 1 ms, so RTO settles at 204 ms

    private readonly long[] _baseline = new long[MibNames.Count];
    private int _cursor;
    private uint _lastRcvNxt;
    private uint _lastSndNxt;

    public TcpScript(Action<KernelSettings>? local = null, Action<KernelSettings>? peer = null, ulong seed = 1)
    {
        Trace = new Recorder();
        Sim = new Simulator(new DeterministicRandom(seed), Trace);
        var ls = new KernelSettings();
        local?.Invoke(ls);
        var ps = new KernelSettings();
        peer?.Invoke(ps);
        Local = Sim.AddHost("local", LocalAddr, ls);
        Peer = Sim.AddHost("peer", PeerAddr, ps);
        Sim.Network.SetDelay(LocalAddr, PeerAddr, OneWayDelay);
    }

    public Simulator Sim { get; }

    public Recorder Trace { get; }

    public Host Local { get; }

    public Host Peer { get; }

    /// <summary>The descriptor of the end under test (-1 before connect).</summary>
    public int Fd { get; private set; } = -1;

    public int PeerFd { get; private set; } = -1;

    public int ListenFd { get; private set; } = -1;

    /// <summary>The end under test, as Local sees it.</summary>
    public FourTuple Tuple { get; private set; }

    /// <summary>The full socket of the end under test (kept after it is orphaned or freed).</summary>
    public TcpSocket Sock { get; private set; } = null!;

    public PendingCall? ConnectCall { get; private set; }

    public SimTime Now => Sim.Now;

    // ------------------------------------------------------------------ driving with real calls

    /// <summary>Peer listens on port 80; Local connects (optionally with the wire already cut).</summary>
    public TcpScript StartConnect()
    {
        ListenFd = (int)Peer.Listen(ServerPort).Value;
        ConnectCall = Local.Connect(PeerAddr, ServerPort, out int fd);
        Fd = fd;
        Sock = Local.SocketOf(fd)!;
        Tuple = Sock.Tuple;
        Remember();
        return this;
    }

    /// <summary>A full handshake and accept().</summary>
    public TcpScript Connect()
    {
        StartConnect();
        Run(10);
        Assert.True(ConnectCall!.Completed && !ConnectCall.Result.Failed, $"connect: {ConnectCall.Result}");
        var accepted = Peer.Accept(ListenFd);
        Assert.False(accepted.Failed, $"accept: {accepted}");
        PeerFd = (int)accepted.Value;
        return this;
    }

    /// <summary>Cuts the wire both ways: from now on only injected segments reach Local.</summary>
    public TcpScript Isolate()
    {
        Sim.Network.SetDropping(LocalAddr, PeerAddr, true);
        Sim.Network.SetDropping(PeerAddr, LocalAddr, true);
        return this;
    }

    public TcpScript Heal()
    {
        Sim.Network.SetDropping(LocalAddr, PeerAddr, false);
        Sim.Network.SetDropping(PeerAddr, LocalAddr, false);
        return this;
    }

    /// <summary>Forgets what was sent and counted so far: expectations start from here.</summary>
    public TcpScript Baseline()
    {
        _cursor = Trace.Segments.Count;
        for (int i = 0; i < _baseline.Length; i++) _baseline[i] = Local.Counter((Mib)i);
        Remember();
        return this;
    }

    public TcpScript Run(double ms)
    {
        Sim.RunUntil(Sim.Now + SimDuration.FromSeconds(ms / 1000.0));
        Remember();
        return this;
    }

    public TcpScript RunSeconds(double s) => Run(s * 1000.0);

    /// <summary>
    /// How much later than its deadline the kernel's timer wheel may run a timer of <paramref name="seconds"/>
    /// (one jiffy at least, up to a level's granularity: TimerWheel), in seconds.
    /// </summary>
    public static double WheelSlack(double seconds) => TimerWheel.MaxLateness(SimDuration.FromSeconds(seconds), 250).Seconds;

    /// <summary>Runs to an absolute virtual time (ms since the start of the run).</summary>
    public TcpScript RunTo(SimTime t)
    {
        Sim.RunUntil(t);
        Remember();
        return this;
    }

    // ------------------------------------------------------------------ calls on the end under test

    public SyscallResult Send(int bytes) => After(Local.Send(Fd, bytes));

    public SyscallResult Recv(int bytes = 65536) => After(Local.Recv(Fd, bytes));

    public SyscallResult Shutdown(ShutdownFlags how) => After(Local.Shutdown(Fd, how));

    public PendingCall Close()
    {
        var call = Local.Close(Fd);
        Remember();
        return call;
    }

    public Errno SoError()
    {
        Local.GetError(Fd, out Errno e);
        return e;
    }

    private SyscallResult After(SyscallResult r)
    {
        Remember();
        return r;
    }

    // ------------------------------------------------------------------ sequence space

    /// <summary>rcv_nxt of whatever object holds the end now (full or timewait socket), else the last one seen.</summary>
    public uint RcvNxt
    {
        get
        {
            Remember();
            return _lastRcvNxt;
        }
    }

    /// <summary>snd_nxt of whatever object holds the end now, else the last one seen.</summary>
    public uint SndNxt
    {
        get
        {
            Remember();
            return _lastSndNxt;
        }
    }

    public TimewaitSocket? Timewait => Local.Lookup(Tuple) as TimewaitSocket;

    private void Remember()
    {
        switch (Local.Lookup(Tuple))
        {
            case TimewaitSocket tw:
                _lastRcvNxt = tw.RcvNxt;
                _lastSndNxt = tw.SndNxt;
                return;
            case TcpSocket s:
                _lastRcvNxt = s.RcvNxt;
                _lastSndNxt = s.SndNxt;
                return;
        }

        if (Sock is not null && Sock.State != TcpState.Close && !Sock.Freed)
        {
            _lastRcvNxt = Sock.RcvNxt;
            _lastSndNxt = Sock.SndNxt;
        }
    }

    // ------------------------------------------------------------------ crafted segments from the peer

    /// <summary>
    /// A segment from the peer: seq = rcv_nxt + <paramref name="seq"/>, ack = snd_nxt + <paramref name="ack"/>
    /// (the ack field is 0 when the flags carry no ACK). Flags in tcpdump notation: "F.", "R", "S", "P.".
    /// TSval follows the peer's own timestamp clock (so PAWS never rejects it); TSecr is 0 (no valid echo).
    /// </summary>
    public Segment Seg(string flags, int seq = 0, int ack = 0, int len = 0, uint window = 65535)
    {
        Assert.True(TcpFlagsNotation.TryParse(flags, out TcpFlags f), $"bad flags '{flags}'");
        bool hasAck = (f & TcpFlags.Ack) != 0;
        return new Segment(PeerAddr, Tuple.RemotePort, LocalAddr, Tuple.LocalPort,
            Seq.Add(RcvNxt, seq), hasAck ? Seq.Add(SndNxt, ack) : 0, f, len, window,
            Peer.TsNow, 0);
    }

    public Segment Ack(int seq = 0, int ack = 0) => Seg(".", seq, ack);

    public Segment Fin(int seq = 0, int ack = 0) => Seg("F.", seq, ack);

    public Segment Data(int len, int seq = 0, int ack = 0) => Seg("P.", seq, ack, len);

    public Segment Rst(int seq = 0) => Seg("R", seq);

    public Segment Syn(int seq = 0) => Seg("S", seq);

    /// <summary>Hands a crafted segment to Local now, as if it had just arrived (tcp_v4_rcv).</summary>
    public TcpScript Inject(in Segment seg)
    {
        Local.Receive(seg);
        Remember();
        return this;
    }

    // ------------------------------------------------------------------ expectations

    /// <summary>Segments Local sent since the last expectation (dropped ones included); consumes them.</summary>
    public List<Segment> TakeSent()
    {
        var sent = new List<Segment>();
        for (; _cursor < Trace.Segments.Count; _cursor++)
        {
            if (ReferenceEquals(Trace.Segments[_cursor].From, Local)) sent.Add(Trace.Segments[_cursor].Segment);
        }

        return sent;
    }

    /// <summary>Exactly one segment was sent since the last expectation, with these flags (and seq/ack if given).</summary>
    public Segment ExpectSent(string flags, uint? seq = null, uint? ack = null, uint? window = null)
    {
        var sent = TakeSent();
        Assert.True(sent.Count == 1, $"expected one [{flags}] segment, Local sent {sent.Count}: {string.Join(" | ", sent)}");
        AssertSegment(sent[0], flags, seq, ack, window);
        return sent[0];
    }

    public static void AssertSegment(in Segment s, string flags, uint? seq = null, uint? ack = null, uint? window = null)
    {
        Assert.True(TcpFlagsNotation.TryParse(flags, out TcpFlags f), $"bad flags '{flags}'");
        Assert.True(s.Flags == f, $"expected [{flags}], got {s}");
        if (seq is { } q) Assert.True(s.Seq == q, $"expected seq={q}, got {s}");
        if (ack is { } a) Assert.True(s.Ack == a, $"expected ack={a}, got {s}");
        if (window is { } w) Assert.True(s.Window == w, $"expected win={w}, got {s}");
    }

    public void ExpectNothingSent()
    {
        var sent = TakeSent();
        Assert.True(sent.Count == 0, $"expected nothing sent, Local sent: {string.Join(" | ", sent)}");
    }

    public EndView View => Local.Inspect(Tuple);

    public TcpScript ExpectState(TcpState state)
    {
        Assert.Equal<TcpState?>(state, View.State);
        return this;
    }

    /// <summary>The kernel holds nothing for the end any more (freed, or a CLOSE socket nobody lists).</summary>
    public TcpScript ExpectGone()
    {
        var v = View;
        Assert.True(v.State is null || v.State == TcpState.Close, $"expected the end to be gone, it is {v}");
        Assert.Null(Local.Lookup(Tuple));
        return this;
    }

    /// <summary>The visible timer, and optionally its expiry in seconds from now (±<paramref name="tolerance"/> s).</summary>
    public TcpScript ExpectTimer(TimerKind kind, double? inSeconds = null, double tolerance = 0.001)
    {
        var v = View;
        Assert.True(v.Timer == kind, $"expected timer {kind}, got {v}");
        if (inSeconds is { } s)
        {
            Assert.NotNull(v.Expires);
            Assert.True(Math.Abs(v.Expires!.Value.Seconds - s) <= tolerance, $"expected {kind} in {s}s, got {v.Expires} ({v})");
        }

        return this;
    }

    /// <summary>How much a Local counter moved since <see cref="Baseline"/>.</summary>
    public long Delta(Mib mib) => Local.Counter(mib) - _baseline[(int)mib];
}
