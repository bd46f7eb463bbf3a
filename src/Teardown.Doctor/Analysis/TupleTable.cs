using System.Runtime.CompilerServices;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Analysis;

/// <summary>
/// (local, remote) → socket index, as an open-addressing table: no per-entry allocation, and compiled
/// optimized at once (a generic <see cref="Dictionary{TKey, TValue}"/> over a struct key spends a
/// one-shot run in tier-0 code). A slot holds an IPv4 tuple itself (both addresses and ports, 96
/// bits), so finding a socket's other end does not read the socket table: on 155,000 sockets that
/// read was one cache miss into a 30 MB array per lookup, and pairing took 18 ms instead of 8
/// (measured). An IPv6 tuple keeps a hash in its slot and is confirmed against its socket.
/// </summary>
internal sealed class TupleTable
{
    /// <summary>The key, and the socket's index + 1: positive for an exact IPv4 key, negative for a hashed IPv6 one; 0 when empty.</summary>
    private struct Slot
    {
        internal ulong Addresses;
        internal uint Ports;
        internal int Index;
    }

    private readonly Slot[] _slots;
    private readonly int _mask;

    internal TupleTable(int capacity)
    {
        // Filled to between a third and two thirds: probes stay short (linear probing, 16-byte slots,
        // four to a cache line) and the table small — at 155,000 sockets 4 MB rather than 8, which
        // measured faster (fewer cache misses and fresh pages).
        int size = 16;
        while (size < capacity + (capacity / 2))
        {
            size <<= 1;
        }

        _slots = new Slot[size];
        _mask = size - 1;
    }

    /// <summary>Adds socket <paramref name="index"/> unless its tuple is already present (the first one wins).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void TryAdd(ReadOnlySpan<SocketRecord> sockets, int index)
    {
        ref readonly var s = ref sockets[index];
        bool exact = Key(in s.Local, in s.Remote, out ulong addresses, out uint ports);
        int slot = Hash(addresses, ports) & _mask;
        while (true)
        {
            ref var at = ref _slots[slot];
            if (at.Index == 0)
            {
                at.Addresses = addresses;
                at.Ports = ports;
                at.Index = exact ? index + 1 : -(index + 1);
                return;
            }

            if (Matches(sockets, in at, exact, addresses, ports, in s.Local, in s.Remote))
            {
                return;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>The socket whose local endpoint is <paramref name="local"/> and remote <paramref name="remote"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal int Find(ReadOnlySpan<SocketRecord> sockets, in InetEndpoint local, in InetEndpoint remote)
    {
        bool exact = Key(in local, in remote, out ulong addresses, out uint ports);
        int slot = Hash(addresses, ports) & _mask;
        while (true)
        {
            ref readonly var at = ref _slots[slot];
            if (at.Index == 0)
            {
                return -1;
            }

            if (Matches(sockets, in at, exact, addresses, ports, in local, in remote))
            {
                return (at.Index > 0 ? at.Index : -at.Index) - 1;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>
    /// Both endpoints IPv4 (after <see cref="Normalize"/>): the tuple itself, exact; otherwise the
    /// addresses' hashes, to be confirmed against the socket.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Key(in InetEndpoint local, in InetEndpoint remote, out ulong addresses, out uint ports)
    {
        ports = ((uint)local.Port << 16) | remote.Port;
        if (local.Address.Family == AddressFamilies.Inet && remote.Address.Family == AddressFamilies.Inet)
        {
            addresses = ((ulong)local.Address.IPv4Value << 32) | remote.Address.IPv4Value;
            return true;
        }

        return SlowKey(Normalize(local), Normalize(remote), out addresses);
    }

    private static bool SlowKey(InetEndpoint local, InetEndpoint remote, out ulong addresses)
    {
        if (local.Address.Family == AddressFamilies.Inet && remote.Address.Family == AddressFamilies.Inet)
        {
            addresses = ((ulong)local.Address.IPv4Value << 32) | remote.Address.IPv4Value;
            return true;
        }

        unchecked
        {
            addresses = ((ulong)(uint)local.Address.GetHashCode() << 32) | (uint)remote.Address.GetHashCode();
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Matches(ReadOnlySpan<SocketRecord> sockets, in Slot at, bool exact, ulong addresses, uint ports, in InetEndpoint local, in InetEndpoint remote)
    {
        if (at.Addresses != addresses || at.Ports != ports || (at.Index > 0) != exact)
        {
            return false;
        }

        if (exact)
        {
            return true;
        }

        ref readonly var other = ref sockets[-at.Index - 1];
        return Normalize(other.Local) == Normalize(local) && Normalize(other.Remote) == Normalize(remote);
    }

    /// <summary>
    /// An IPv4-mapped IPv6 endpoint (::ffff:a.b.c.d, a dual-stack socket talking IPv4) as plain IPv4,
    /// so that an AF_INET client pairs with its AF_INET6 dual-stack server (net/ipv6/tcp_ipv6.c:tcp_v6_connect
    /// hands mapped destinations to the IPv4 code).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static InetEndpoint Normalize(InetEndpoint e) => e.Address.Family == AddressFamilies.Inet6 ? Unmap(e) : e;

    private static InetEndpoint Unmap(InetEndpoint e)
    {
        Span<byte> b = stackalloc byte[16];
        e.Address.WriteNetworkBytes(b);
        if (b[..10].ContainsAnyExcept((byte)0) || b[10] != 0xff || b[11] != 0xff)
        {
            return e;
        }

        return new InetEndpoint(InetAddress.FromNetworkBytes(AddressFamilies.Inet, b[12..]), e.Port);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ulong addresses, uint ports)
    {
        // A 64-bit mix of the key (splitmix64's finaliser). Multiplications wrap by design.
        unchecked
        {
            ulong h = (addresses ^ ((ulong)ports * 0x9E3779B97F4A7C15UL)) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
            h *= 0x94D049BB133111EBUL;
            h ^= h >> 29;
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
