using Teardown.Model.Simulation;
using Teardown.Model.Rules;

namespace Teardown.Model.Kernel;

/// <summary>
/// One modelled Linux kernel (one network namespace) and the single process that holds its descriptors:
/// the established/timewait hash, listeners, descriptors, orphan and timewait counts, MIB counters and
/// sysctls. Reading list: RFC 9293, RFC 1122 §4.2, RFC 1337, RFC 7323, RFC 5961; Linux net/ipv4/tcp.c,
/// tcp_input.c, tcp_output.c, tcp_timer.c, tcp_minisocks.c, inet_timewait_sock.c, tcp_ipv4.c.
/// </summary>
public sealed partial class Host
{
    private readonly Simulator _sim;
    private readonly Dictionary<FourTuple, SocketBase> _ehash = [];
    private readonly Dictionary<ushort, TcpSocket> _listeners = [];
    private readonly Dictionary<int, TcpSocket> _fds = [];
    private readonly Dictionary<FourTuple, TcpState?> _lastVisible = [];
    private readonly long[] _mib = new long[MibNames.Count];
    private int _portCursor;

    internal Host(Simulator sim, string name, uint address, KernelSettings settings)
    {
        _sim = sim;
        Name = name;
        Address = address;
        Settings = settings;
        _portCursor = sim.Random.Next(1 << 16);
    }

    public string Name { get; }

    public uint Address { get; }

    public KernelSettings Settings { get; }

    /// <summary>True while the host is crashed: nothing reaches it or leaves it.</summary>
    public bool Crashed { get; private set; }

    /// <summary>Bumped at each crash, so segments in flight to the old kernel are lost.</summary>
    internal int Incarnation { get; private set; }

    /// <summary>Orphaned full sockets (tcp_orphan_count); timewait sockets are not orphans.</summary>
    public int OrphanCount { get; private set; }

    /// <summary>Timewait sockets (tw_count).</summary>
    public int TimewaitCount { get; private set; }

    /// <summary>The blocking call this host's process is in, if any.</summary>
    public PendingCall? Blocked { get; private set; }

    internal SimTime Now => _sim.Now;

    /// <summary>The last host this one sent to and the path there (a one-entry route cache for Transmit).</summary>
    internal Host? LastPeer { get; set; }

    internal Network.Direction? LastPath { get; set; }

    internal IModelObserver? Observer => _sim.Observer;

    /// <summary>Length of one jiffy in microseconds (1/HZ).</summary>
    internal long JiffyUs => 1_000_000L / Settings.Hz;

    public long Counter(Mib mib) => _mib[(int)mib];

    /// <summary>All full sockets and timewait sockets the kernel holds (for inspection and invariants).</summary>
    public IEnumerable<SocketBase> KernelSockets => _ehash.Values.Concat(_listeners.Values);

    /// <summary>Open descriptors of the host's process.</summary>
    public IReadOnlyDictionary<int, TcpSocket> Descriptors => _fds;

    /// <summary>Rounds a duration up to whole jiffies, as usecs_to_jiffies does.</summary>
    internal long RoundUpToJiffies(long us)
    {
        long j = JiffyUs;
        return (us + j - 1) / j * j;
    }

    internal void Count(Mib mib, long delta = 1)
    {
        _mib[(int)mib] += delta;
        Observer?.OnCounter(Now, this, mib, _mib[(int)mib]);
    }

    /// <summary>
    /// The one place where a full socket changes state (tcp.c:tcp_set_state): MIB bookkeeping, unhashing on
    /// CLOSE, and a trace record with the cause.
    /// </summary>
    internal void SetState(TcpSocket s, TcpState to, Cause cause)
    {
        TcpState from = s.State;
        if (from == to) return;
        s.State = to;
        // CurrEstab counts ESTABLISHED and CLOSE_WAIT (tcp.c:tcp_set_state, since "count CLOSE-WAIT sockets
        // for TCP_MIB_CURRESTAB", 6.10): up on reaching either, down on leaving the pair.
        bool wasCounted = from is TcpState.Established or TcpState.CloseWait;
        bool isCounted = to is TcpState.Established or TcpState.CloseWait;
        if (isCounted && !wasCounted) Count(Mib.CurrEstab);
        if (wasCounted && !isCounted) Count(Mib.CurrEstab, -1);
        if (to == TcpState.Close)
        {
            // tcp_set_state: leaving ESTABLISHED or CLOSE_WAIT for CLOSE counts EstabResets; the socket is
            // unhashed and its port released, so later segments for the tuple find no socket.
            if (from is TcpState.Established or TcpState.CloseWait) Count(Mib.EstabResets);
            Unhash(s);
        }

        // An orphan (or a listener being closed) passes through CLOSE only on its way to being freed in the
        // same step: nothing can observe it there, so the end is reported GONE when it is freed.
        if (to == TcpState.Close && (s.IsOrphan || s.Releasing || from == TcpState.Listen)) return;
        NotifyEnd(s.Tuple, cause);
    }

    /// <summary>The one place where a timewait socket changes substate (tcp_minisocks.c:tcp_timewait_state_process).</summary>
    internal void SetSubstate(TimewaitSocket tw, TcpState to, Cause cause)
    {
        if (tw.Substate == to) return;
        tw.Substate = to;
        NotifyEnd(tw.Tuple, cause);
    }

    /// <summary>Records a change of what the connection end <paramref name="tuple"/> looks like, if it changed.</summary>
    internal void NotifyEnd(FourTuple tuple, Cause cause)
    {
        if (Observer is null) return;
        TcpState? now = Inspect(tuple).State;
        _lastVisible.TryGetValue(tuple, out TcpState? before);
        if (before == now) return;
        _lastVisible[tuple] = now;
        Observer.OnTransition(Now, this, tuple, before, now, cause);
    }

    internal void Hash(SocketBase s) => _ehash[s.Tuple] = s;

    internal void Unhash(SocketBase s)
    {
        if (_ehash.TryGetValue(s.Tuple, out var cur) && ReferenceEquals(cur, s)) _ehash.Remove(s.Tuple);
    }

    internal SocketBase? Lookup(in FourTuple tuple) => _ehash.GetValueOrDefault(tuple);

    internal TcpSocket? Listener(ushort port) => _listeners.GetValueOrDefault(port);

    /// <summary>Marks an orphan: SOCK_DEAD and the orphan count (tcp.c:__tcp_close, sock_orphan).</summary>
    internal void Orphan(TcpSocket s)
    {
        Uninstall(s);
        OrphanCount++;
    }

    /// <summary>Frees a full socket: timers stop, orphan count drops (inet_csk_destroy_sock).</summary>
    internal void Destroy(TcpSocket s, Cause cause)
    {
        if (s.Freed) return;
        if (s.State != TcpState.Close) SetState(s, TcpState.Close, cause);
        ClearTimers(s);
        Unhash(s);
        if (s.State == TcpState.Listen) _listeners.Remove(s.Tuple.LocalPort);
        if (s.IsOrphan && !s.NotYetAccepted) OrphanCount--;
        s.Freed = true;
        NotifyEnd(s.Tuple, cause);
    }

    internal void ClearTimers(TcpSocket s)
    {
        CancelTimer(s, Slot.Retransmit);
        s.RetransmitPending = RetransmitKind.None;
        CancelTimer(s, Slot.DelayedAck);
        s.AckPending = false;
        CancelTimer(s, Slot.Keepalive);
        CancelTimer(s, Slot.Timewait);
    }

    /// <param name="extraLateness">how much later still the kernel may fire it, beyond the timer wheel (an RTO from a larger RTT)</param>
    internal void ArmTimer(SocketBase s, Slot slot, SimDuration after, SimDuration extraLateness = default)
    {
        SimTime deadline = Now + after;
        _sim.ArmTimer(s, slot, deadline, after, Settings.Hz, TimerWheel.MaxLateness(after, Settings.Hz) + extraLateness);
        if (IsVisible(s, slot)) Observer?.OnTimer(Now, this, s.Tuple, VisibleTimerKind(s, slot), TimerChange.Armed, deadline);
    }

    internal void CancelTimer(SocketBase s, Slot slot)
    {
        if (!s.Timers[(int)slot].Armed) return;
        Simulator.CancelTimer(s, slot);
        if (IsVisible(s, slot)) Observer?.OnTimer(Now, this, s.Tuple, VisibleTimerKind(s, slot), TimerChange.Cancelled, SimTime.Never);
    }

    /// <summary>sock_diag shows neither the delayed-ACK timer nor a process sleeping in a lingering close().</summary>
    private static bool IsVisible(SocketBase s, Slot slot) => slot != Slot.DelayedAck && !(slot == Slot.Timewait && s is TcpSocket);

    private static TimerKind VisibleTimerKind(SocketBase s, Slot slot) => slot switch
    {
        Slot.Retransmit => s is TcpSocket { RetransmitPending: RetransmitKind.Probe0 } ? TimerKind.Probe : TimerKind.Retransmit,
        Slot.Keepalive => TimerKind.Keepalive,
        Slot.Timewait => s is TimewaitSocket ? TimerKind.Timewait : TimerKind.Retransmit,
        _ => TimerKind.None,
    };

    internal void Transmit(in Segment seg)
    {
        Count(Mib.OutSegs);
        _sim.Transmit(this, seg);
    }

    internal uint NewIsn() => _sim.Random.NextUInt32();

    /// <summary>The TSval clock: milliseconds (tcp_time_stamp_ms), offset per host.</summary>
    internal uint TsNow => unchecked((uint)(Now.Microseconds / 1000) + (uint)Address * 7919u);

    /// <summary>
    /// Picks an ephemeral port for connect() (inet_hashtables.c:__inet_hash_connect): walk the range from a
    /// seeded offset, in steps of two as Linux does for connect, skipping 4-tuples in use.
    /// </summary>
    internal int PickEphemeralPort(uint remoteAddr, ushort remotePort)
    {
        int low = Settings.LocalPortLow, high = Settings.LocalPortHigh;
        int range = high - low + 1;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = pass; i < range; i += 2)
            {
                int port = low + (int)((uint)(_portCursor + i) % (uint)range);
                var tuple = new FourTuple(Address, (ushort)port, remoteAddr, remotePort);
                if (_ehash.ContainsKey(tuple) || _listeners.ContainsKey((ushort)port)) continue;
                _portCursor += i + 2;
                return port;
            }
        }

        return -1;
    }

    /// <summary>What sock_diag / TCP_INFO would show for a connection end (scenario-format.md, Expectations).</summary>
    public EndView Inspect(FourTuple tuple)
    {
        if (Crashed) return EndView.Gone;
        if (_ehash.TryGetValue(tuple, out var s))
        {
            if (s is TimewaitSocket tw)
            {
                ref TimerSlot t = ref tw.Timers[(int)Slot.Timewait];
                return new EndView(tw.Substate, TimerKind.Timewait, TimeLeft(t.Deadline), 0, 0, true, t.ArmLateness);
            }

            return View((TcpSocket)s);
        }

        foreach (var held in _fds.Values)
        {
            if (held.Tuple == tuple) return View(held);
        }

        if (tuple.RemotePort == 0 && _listeners.TryGetValue(tuple.LocalPort, out var l)) return View(l);
        return EndView.Gone;
    }

    /// <summary>
    /// idiag_retrans as sock_diag shows it for a connection end: icsk_retransmits of a full socket
    /// (net/ipv4/inet_diag.c:inet_sk_diag_fill), zero for a timewait socket or an end that is GONE.
    /// Lets a caller seed the model at the retransmission an observed socket has reached.
    /// </summary>
    public int RetransmitsOf(FourTuple tuple)
    {
        if (Crashed) return 0;
        if (_ehash.TryGetValue(tuple, out var s)) return s is TcpSocket full ? full.Retransmits : 0;
        foreach (var held in _fds.Values)
        {
            if (held.Tuple == tuple) return held.Retransmits;
        }

        return 0;
    }

    /// <summary>
    /// A timer's time left as sock_diag shows it: never below zero (inet_diag.c:inet_sk_diag_fill →
    /// jiffies_delta_to_msecs), though the wheel runs a timer up to a granularity after its deadline.
    /// </summary>
    private SimDuration TimeLeft(SimTime deadline) => SimDuration.Max(SimDuration.Zero, deadline - Now);

    private EndView View(TcpSocket s)
    {
        TimerKind kind = TimerKind.None;
        SimTime deadline = SimTime.Never;
        SimDuration lateness = SimDuration.Zero;
        // inet_diag.c:inet_sk_diag_fill checks the retransmit timer kinds first, then sk_timer.
        if (s.Timers[(int)Slot.Retransmit].Armed && s.RetransmitPending != RetransmitKind.None)
        {
            kind = s.RetransmitPending == RetransmitKind.Probe0 ? TimerKind.Probe : TimerKind.Retransmit;
            deadline = s.Timers[(int)Slot.Retransmit].Deadline;
            lateness = s.Timers[(int)Slot.Retransmit].ArmLateness;
        }
        else if (s.Timers[(int)Slot.Keepalive].Armed)
        {
            kind = TimerKind.Keepalive;
            deadline = s.Timers[(int)Slot.Keepalive].Deadline;
            lateness = s.Timers[(int)Slot.Keepalive].ArmLateness;
        }

        // sock_diag cannot see an unhashed CLOSE socket; its descriptor answers ioctl(SIOCINQ), which does not
        // count a received FIN (tcp.h:tcp_inq), and ioctl(SIOCOUTQ) = write_seq − snd_una (tcp.c:tcp_ioctl).
        long recvQ = s.State == TcpState.Close ? s.UnreadBytes : s.RecvQ;

        // A close() lingering in sk_stream_wait_close has already taken the descriptor out of the table
        // (fs/file.c:file_close_fd; tcp_close runs at the last fput), so no descriptor holds the socket even
        // though it is not yet SOCK_DEAD. Seen on 6.18 (seed/14): orphan while close() still blocks.
        return new EndView(s.State, kind, deadline == SimTime.Never ? null : TimeLeft(deadline), recvQ, s.SendQ, s.IsOrphan || s.Releasing, lateness);
    }

    /// <summary>The host crashes: every socket vanishes without a packet; nothing reaches it until reboot.</summary>
    public void Crash()
    {
        var tuples = _lastVisible.Keys.ToList();
        foreach (var s in _ehash.Values.Concat(_listeners.Values).Concat(_fds.Values).Distinct())
        {
            for (int i = 0; i < TimerSlots.Length; i++) Simulator.CancelTimer(s, (Slot)i);
            s.Freed = true;
        }

        _ehash.Clear();
        _listeners.Clear();
        _fds.Clear();
        _freedFds.Clear();
        _nextFd = 3;
        OrphanCount = 0;
        TimewaitCount = 0;
        Blocked = null;
        Crashed = true;
        Incarnation++;
        foreach (var t in tuples) NotifyEnd(t, Causes.HostCrash);
    }

    /// <summary>
    /// A crashed host comes back with an empty kernel at the same address. Its counters keep counting from
    /// the scenario start, as expectations define them (the new kernel's are added to the old one's) — except
    /// CurrEstab, a gauge of the connections now established, which starts again from 0, and says so in the trace
    /// (fuzz seeds 32200033, 32200130, 32200169, 32200213: the trace kept the crashed kernel's value).
    /// </summary>
    public void Reboot()
    {
        Crashed = false;
        long established = _mib[(int)Mib.CurrEstab];
        if (established != 0) Count(Mib.CurrEstab, -established);
    }
}

/// <summary>A connection end as sock_diag shows it; a null <see cref="State"/> means GONE.</summary>
/// <param name="ExpiresLateness">how much later the kernel may have armed the timer (Simulator.Lateness): its expiry may be that much later</param>
public readonly record struct EndView(TcpState? State, TimerKind Timer, SimDuration? Expires, long RecvQ, long SendQ, bool Orphan, SimDuration ExpiresLateness = default)
{
    public static EndView Gone { get; } = new(null, TimerKind.None, null, 0, 0, true);
}
