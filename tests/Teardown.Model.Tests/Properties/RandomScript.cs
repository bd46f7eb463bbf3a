using CsCheck;
using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Properties;

/// <summary>One step of a random script: which call or event (<see cref="Kind"/>) and two small arguments.</summary>
public readonly record struct Op(int Kind, int A, int B)
{
    public override string ToString() => $"{(OpKind)Kind}({A},{B})";
}

public enum OpKind
{
    SendLocal, SendPeer, RecvLocal, RecvPeer, ShutdownLocal, ShutdownPeer, CloseLocal, ClosePeer,
    LingerLocal, LingerPeer, Linger2Local, Linger2Peer, DropLocalToPeer, DropPeerToLocal, RunShort, RunLong,
    KeepaliveLocal, ReleaseLocal, ReleasePeer, DestroyLocal, DestroyPeer, Count,
}

/// <summary>
/// Random scripts over one connection between two hosts: sends, reads, shutdowns, closes, SO_LINGER, TCP_LINGER2,
/// keepalive, release and SOCK_DESTROY from outside, loss in either direction and the passage of time. Invariants are checked after every step.
/// </summary>
public static class RandomScript
{
    public static readonly Gen<Op> GenOp =
        Gen.Select(Gen.Int[0, (int)OpKind.Count - 1], Gen.Int[0, 3000], Gen.Int[-1, 130], (k, a, b) => new Op(k, a, b));

    public static readonly Gen<(ulong Seed, Op[] Ops)> GenScript = Gen.Select(Gen.ULong, GenOp.Array[1, 40]);

    /// <summary>Runs the script; returns the trace lines. <paramref name="visit"/> sees the script after each step.</summary>
    public static TcpScript Run(ulong seed, IReadOnlyList<Op> ops, Action<TcpScript>? visit = null)
    {
        var t = new TcpScript(seed: seed).Connect();
        visit?.Invoke(t);
        foreach (var op in ops)
        {
            Apply(t, op);
            visit?.Invoke(t);
        }

        return t;
    }

    /// <summary>Both processes exit (every descriptor closed, lingering closes abandoned) and the wire heals or not.</summary>
    public static void CloseBothEnds(TcpScript t, bool heal)
    {
        if (heal) t.Heal();
        t.Local.Kill();
        t.Peer.Kill();
    }

    private static void Apply(TcpScript t, Op op)
    {
        Host l = t.Local, p = t.Peer;
        int lf = t.Fd, pf = t.PeerFd;
        switch ((OpKind)op.Kind)
        {
            case OpKind.SendLocal: l.Send(lf, op.A % 4000 + 1); break;
            case OpKind.SendPeer: p.Send(pf, op.A % 4000 + 1); break;
            case OpKind.RecvLocal: l.Recv(lf, op.A); break;
            case OpKind.RecvPeer: p.Recv(pf, op.A); break;
            case OpKind.ShutdownLocal: l.Shutdown(lf, (ShutdownFlags)(Math.Abs(op.B) % 3 + 1)); break;
            case OpKind.ShutdownPeer: p.Shutdown(pf, (ShutdownFlags)(Math.Abs(op.B) % 3 + 1)); break;
            case OpKind.CloseLocal: l.Close(lf); break;
            case OpKind.ClosePeer: p.Close(pf); break;
            case OpKind.LingerLocal: l.SetLinger(lf, op.B >= 0, Math.Abs(op.B) % 4); break;
            case OpKind.LingerPeer: p.SetLinger(pf, op.B >= 0, Math.Abs(op.B) % 4); break;
            case OpKind.Linger2Local: l.SetLinger2(lf, op.B); break;
            case OpKind.Linger2Peer: p.SetLinger2(pf, op.B); break;
            case OpKind.DropLocalToPeer: t.Sim.Network.SetDropping(TcpScript.LocalAddr, TcpScript.PeerAddr, op.A % 2 == 0); break;
            case OpKind.DropPeerToLocal: t.Sim.Network.SetDropping(TcpScript.PeerAddr, TcpScript.LocalAddr, op.A % 2 == 0); break;
            case OpKind.RunShort: t.Run(op.A % 500); break;
            case OpKind.RunLong: t.RunSeconds(op.A / 10.0); break;
            case OpKind.ReleaseLocal: l.ReleaseWrite(lf); break;
            case OpKind.ReleasePeer: p.ReleaseWrite(pf); break;
            case OpKind.DestroyLocal: l.SockDestroy(t.Tuple); break;
            case OpKind.DestroyPeer: p.SockDestroy(t.Tuple.Reversed); break;
            case OpKind.KeepaliveLocal:
                l.SetKeepalive(lf, true);
                l.SetKeepaliveParameter(lf, "TCP_KEEPIDLE", op.A % 20 + 1);
                l.SetKeepaliveParameter(lf, "TCP_KEEPINTVL", op.A % 5 + 1);
                l.SetKeepaliveParameter(lf, "TCP_KEEPCNT", op.A % 3 + 1);
                break;
        }
    }
}
