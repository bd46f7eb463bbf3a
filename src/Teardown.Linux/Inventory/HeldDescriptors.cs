using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using Teardown.Linux.Interop;
using Teardown.Linux.Ledger;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Inventory;

/// <summary>What <see cref="HeldDescriptors.Check"/> found.</summary>
/// <param name="Held">Entries whose descriptor still links to their socket, one per (pid, fd, inode), the latest entry of each.</param>
/// <param name="Closed">Entries whose descriptor is closed, reused by another file, or whose process is gone: never held again.</param>
/// <param name="Unreadable">Entries whose descriptor could not be looked at (permission): neither held nor closed as far as is known.</param>
public sealed record HeldCheck(ImmutableArray<LedgerEntry> Held, ImmutableArray<LedgerEntry> Closed, ImmutableArray<LedgerEntry> Unreadable);

/// <summary>
/// Which sockets teardown released or killed are still held by their application: after a release
/// the application's descriptor stays open on a closed connection (the socket leaves sock_diag once
/// LAST_ACK ends, but still counts against RLIMIT_NOFILE). One readlink of
/// <c>/proc/PID/fd/FD</c> per entry: held when it still names <c>socket:[INODE]</c>. Data only; the
/// doctor interprets it.
/// </summary>
public static unsafe class HeldDescriptors
{
    /// <summary>Checks each entry's descriptor.</summary>
    /// <param name="entries">Ledger entries (those that are not <see cref="LedgerFollower.IsHeldCandidate"/> are ignored).</param>
    /// <param name="procRoot">Where procfs is mounted.</param>
    public static HeldCheck Check(IEnumerable<LedgerEntry> entries, string procRoot = "/proc")
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(procRoot);
        var candidates = entries.Where(LedgerFollower.IsHeldCandidate).ToList();
        var latest = new Dictionary<(int Pid, int Fd, ulong Inode), LedgerEntry>();
        foreach (var e in candidates)
        {
            var key = (e.Pid!.Value, e.Fd!.Value, e.Inode);
            if (!latest.TryGetValue(key, out var seen) || seen.Time <= e.Time) latest[key] = e;
        }

        var held = ImmutableArray.CreateBuilder<LedgerEntry>();
        var closed = ImmutableArray.CreateBuilder<LedgerEntry>();
        var unreadable = ImmutableArray.CreateBuilder<LedgerEntry>();
        foreach (var ((pid, fd, inode), e) in latest.OrderBy(p => p.Value.Time))
        {
            switch (SocketInodeOf(string.Create(CultureInfo.InvariantCulture, $"{procRoot}/{pid}/fd/{fd}"), out ulong linked))
            {
                case Errno.None when linked == inode:
                    held.Add(e);
                    break;
                case Errno.EACCES or Errno.EPERM:
                    unreadable.Add(e);
                    break;
                default: // closed (ENOENT), another file behind the number, or the process is gone
                    closed.Add(e);
                    break;
            }
        }

        // Older entries of the same (pid, fd, inode) are done with: the latest one speaks for the descriptor.
        var kept = new HashSet<LedgerEntry>(latest.Values, ReferenceEqualityComparer.Instance);
        closed.AddRange(candidates.Where(e => !kept.Contains(e)));

        return new HeldCheck(held.ToImmutable(), closed.ToImmutable(), unreadable.ToImmutable());
    }

    /// <summary>The socket inode <paramref name="path"/> (a /proc/PID/fd/FD link) names: None with the inode, None with 0 for another file, else the errno.</summary>
    internal static Errno SocketInodeOf(string path, out ulong inode)
    {
        inode = 0;
        Span<byte> buffer = stackalloc byte[256];
        if (!ProcFs.TryEncodePath(path, buffer, out var encoded)) return Errno.ENAMETOOLONG;
        byte* link = stackalloc byte[64];
        fixed (byte* p = encoded)
        {
            nint n = Libc.readlinkat(AT_FDCWD, p, link, 64);
            if (n < 0) return (Errno)Marshal.GetLastPInvokeError();
            LinkParsers.TryParseBracketedInode(new ReadOnlySpan<byte>(link, (int)n), "socket:["u8, out inode);
            return Errno.None;
        }
    }
}
