namespace Teardown.Model;

/// <summary>
/// The only source of randomness in the model (ISNs, ephemeral ports): SplitMix64, seeded by the caller,
/// so that the same seed and input give the same trace on every runtime and platform.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _state;

    public DeterministicRandom(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        unchecked
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    public uint NextUInt32() => unchecked((uint)(NextUInt64() >> 32));

    /// <summary>A value in [0, bound).</summary>
    public int Next(int bound) => bound <= 0 ? 0 : (int)(NextUInt64() % (ulong)bound);
}
