using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Teardown.Doctor.Input;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Analysis;

/// <summary>
/// Every socket's owner (pid and descriptor), looked up once per snapshot. The analysis, the peers'
/// owners and the export view all need it; on 150,000 sockets each inode lookup in the owner table
/// is a hash probe, and doing it once instead of three times is a measurable part of a server's
/// snapshot (bench/README.md, serve section).
/// </summary>
public sealed class SocketOwners
{
    private SocketOwners(ImmutableArray<SocketRecord> sockets, int[] pids, int[] fds)
    {
        Sockets = sockets;
        Pids = pids;
        Fds = fds;
    }

    /// <summary>The table these owners describe.</summary>
    public ImmutableArray<SocketRecord> Sockets { get; }

    /// <summary>Owning pid per socket; 0 when no descriptor refers to it or its process was not seen.</summary>
    internal int[] Pids { get; }

    /// <summary>The owner's descriptor per socket (meaningful where <see cref="Pids"/> is not 0).</summary>
    internal int[] Fds { get; }

    /// <summary>Looks up the owner of every socket of <paramref name="input"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SocketOwners Of(DoctorInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sockets = input.Sockets.AsSpan();
        var pids = new int[sockets.Length];
        var fds = new int[sockets.Length];
        var owners = input.Owners;
        for (int i = 0; i < sockets.Length; i++)
        {
            ulong inode = sockets[i].Inode;
            if (inode != 0 && owners.TryGetOwner(inode, out var owner))
            {
                pids[i] = owner.Pid;
                fds[i] = owner.Fd;
            }
        }

        return new SocketOwners(input.Sockets, pids, fds);
    }

    /// <summary><paramref name="prebuilt"/> when it describes <paramref name="input"/>'s table, else a fresh lookup.</summary>
    internal static SocketOwners For(DoctorInput input, SocketOwners? prebuilt) =>
        prebuilt is not null && prebuilt.Sockets == input.Sockets ? prebuilt : Of(input);
}
