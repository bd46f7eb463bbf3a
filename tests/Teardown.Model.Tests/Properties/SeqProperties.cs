using CsCheck;

namespace Teardown.Model.Tests.Properties;

/// <summary>32-bit sequence arithmetic survives wrap-around (RFC 9293 §3.4; include/net/tcp.h:before/after).</summary>
public sealed class SeqProperties
{
    private static readonly Gen<int> s_distance = Gen.Int[-(1 << 30), 1 << 30];

    [Fact]
    public void AddThenDiff_GivesBackTheDistance() =>
        Gen.Select(Gen.UInt, s_distance).Sample((a, n) => Seq.Diff(a, Seq.Add(a, n)) == n, iter: 20_000);

    [Fact]
    public void AfterByAPositiveDistance_AcrossWrapAround() =>
        Gen.Select(Gen.UInt, Gen.Int[1, 1 << 30]).Sample((a, n) =>
        {
            uint b = Seq.Add(a, n);
            return Seq.After(b, a) && Seq.Before(a, b) && !Seq.Before(b, a) && Seq.AfterOrEqual(b, a) && Seq.BeforeOrEqual(a, b);
        }, iter: 20_000);

    [Fact]
    public void ExactlyOneOfBeforeEqualAfter() =>
        Gen.Select(Gen.UInt, s_distance).Sample((a, n) =>
        {
            uint b = Seq.Add(a, n);
            int holds = (Seq.Before(a, b) ? 1 : 0) + (a == b ? 1 : 0) + (Seq.After(a, b) ? 1 : 0);
            return holds == 1;
        }, iter: 20_000);

    [Fact]
    public void BeforeIsTransitive_WithinHalfTheSpace() =>
        Gen.Select(Gen.UInt, Gen.Int[1, 1 << 29], Gen.Int[1, 1 << 29]).Sample((a, x, y) =>
        {
            uint b = Seq.Add(a, x), c = Seq.Add(b, y);
            return Seq.Before(a, b) && Seq.Before(b, c) && Seq.Before(a, c);
        }, iter: 20_000);

    [Fact]
    public void InRange_IsHalfOpen_AcrossWrapAround() =>
        Gen.Select(Gen.UInt, Gen.Int[1, 1 << 20], Gen.Int[0, 1 << 21]).Sample((start, len, off) =>
        {
            uint end = Seq.Add(start, len);
            uint seq = Seq.Add(start, off);
            return Seq.InRange(seq, start, end) == (off < len);
        }, iter: 20_000);

    [Fact]
    public void Wraparound_ConcreteEdges()
    {
        Assert.True(Seq.After(0u, uint.MaxValue));
        Assert.Equal(1, Seq.Diff(uint.MaxValue, 0u));
        Assert.Equal(5u, Seq.Add(uint.MaxValue, 6));
        Assert.Equal(uint.MaxValue, Seq.Add(0u, -1));
        Assert.True(Seq.InRange(2u, uint.MaxValue - 1, 10u));
    }
}
