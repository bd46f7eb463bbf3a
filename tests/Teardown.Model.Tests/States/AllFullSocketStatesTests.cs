using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>
/// Rules of the common receive pipeline that hold in every synchronized full-socket state (spec §3.0 steps 3–6;
/// tcp_input.c:tcp_validate_incoming, tcp_ack). Each theory runs once per state fixture.
/// </summary>
public sealed class AllFullSocketStatesTests
{
    public static TheoryData<string> States => new()
    {
        "Established", "CloseWait", "FinWait1", "FinWait1Attached", "FinWait2Attached", "FinWait2Orphan65", "Closing", "LastAck",
    };

    private static TcpScript Given(string name) => name switch
    {
        "Established" => Fixtures.Established(),
        "CloseWait" => Fixtures.CloseWait(),
        "FinWait1" => Fixtures.FinWait1(),
        "FinWait1Attached" => Fixtures.FinWait1(orphan: false),
        "FinWait2Attached" => Fixtures.FinWait2Attached(),
        "FinWait2Orphan65" => Fixtures.FinWait2Orphan(linger2: 65),
        "Closing" => Fixtures.Closing(),
        "LastAck" => Fixtures.LastAck(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(States))]
    public void Syn_GetsAChallengeAck_AndNeverResets(string state)
    {
        var t = Given(state);
        TcpState before = t.View.State!.Value;

        t.Inject(t.Syn(seq: 7));

        // (the ack field may not cover our FIN: the ACK is a pure ACK of rcv_nxt either way)
        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(before);
        Assert.Equal(1, t.Delta(Mib.TCPSYNChallenge));
    }

    [Theory]
    [MemberData(nameof(States))]
    public void RstInWindowButNotExact_GetsAChallengeAck(string state)
    {
        var t = Given(state);
        TcpState before = t.View.State!.Value;

        t.Inject(t.Rst(seq: 200));

        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectState(before);
        Assert.Equal(1, t.Delta(Mib.TCPChallengeACK));
    }

    [Theory]
    [MemberData(nameof(States))]
    public void RstOutOfWindow_IsIgnoredSilently(string state)
    {
        var t = Given(state);
        TcpState before = t.View.State!.Value;
        t.Inject(t.Rst(seq: 50_000_000));
        t.ExpectNothingSent();
        t.ExpectState(before);
    }

    [Theory]
    [MemberData(nameof(States))]
    public void AckOlderThanSndUnaByMoreThanTheWindow_GetsAChallengeAck(string state)
    {
        var t = Given(state);
        t.Inject(t.Ack(ack: -200_000));
        t.ExpectSent(".", ack: t.RcvNxt);
    }

    [Theory]
    [MemberData(nameof(States))]
    public void SecondChallengeWithin500ms_IsSuppressed(string state)
    {
        var t = Given(state);
        t.Inject(t.Syn()).Inject(t.Rst(seq: 200));
        t.ExpectSent(".");
        Assert.Equal(1, t.Delta(Mib.TCPACKSkippedChallenge));
    }
}
