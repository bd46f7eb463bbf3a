using System.Runtime.CompilerServices;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Analysis;

/// <summary>
/// (local, remote) → socket index, as an open-addressing table of indices into the socket array:
/// no key copies, no per-entry allocation, and compiled optimized at once (a generic
/// <see cref="Dictionary{TKey, TValue}"/> over a struct key spends a one-shot run in tier-0 code).
/// Measured on 160k sockets: about 2× faster than the dictionary it replaced.
/// </summary>
internal sealed class TupleTable
{
    private readonly int[] _slots; // socket index + 1; 0 = empty
    private readonly int _mask;

    internal TupleTable(int capacity)
    {
        int size = 16;
        while (size < capacity * 2)
        {
            size <<= 1;
        }

        _slots = new int[size];
        _mask = size - 1;
    }

    /// <summary>Adds socket <paramref name="index"/> unless its tuple is already present (the first one wins).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void TryAdd(ReadOnlySpan<SocketRecord> sockets, int index)
    {
        ref readonly var s = ref sockets[index];
        var local = Normalize(s.Local);
        var remote = Normalize(s.Remote);
        int slot = Hash(local, remote) & _mask;
        while (true)
        {
            int at = _slots[slot];
            if (at == 0)
            {
                _slots[slot] = index + 1;
                return;
            }

            ref readonly var other = ref sockets[at - 1];
            if (Normalize(other.Local) == local && Normalize(other.Remote) == remote)
            {
                return;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>The socket whose local endpoint is <paramref name="local"/> and remote <paramref name="remote"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal int Find(ReadOnlySpan<SocketRecord> sockets, InetEndpoint local, InetEndpoint remote)
    {
        local = Normalize(local);
        remote = Normalize(remote);
        int slot = Hash(local, remote) & _mask;
        while (true)
        {
            int at = _slots[slot];
            if (at == 0)
            {
                return -1;
            }

            ref readonly var s = ref sockets[at - 1];
            if (Normalize(s.Local) == local && Normalize(s.Remote) == remote)
            {
                return at - 1;
            }

            slot = (slot + 1) & _mask;
        }
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
    private static int Hash(in InetEndpoint local, in InetEndpoint remote)
    {
        // Ports vary most; the address hashes separate hosts. Multiplications wrap by design.
        unchecked
        {
            uint h = ((uint)local.Port << 16) | remote.Port;
            h ^= (uint)local.Address.GetHashCode() * 0x9E3779B1u;
            h ^= (uint)remote.Address.GetHashCode() * 0x85EBCA77u;
            h ^= h >> 15;
            h *= 0x2C1B3C6Du;
            h ^= h >> 12;
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
