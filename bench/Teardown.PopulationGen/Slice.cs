namespace Teardown.PopulationGen;

/// <summary>
/// One worker's share of the benchmark population. Each worker process builds its share against
/// its own listening ports, so workers never share a descriptor and each stays under the
/// per-process descriptor limit.
/// </summary>
/// <param name="CloseWaitUnreadEof">Server never reads after the client closed (CLOSE_WAIT Recv-Q 1 + the client's orphaned FIN_WAIT2).</param>
/// <param name="CloseWaitReadNotClosed">Server read EOF, never closed (Recv-Q 0 + orphan).</param>
/// <param name="CloseWaitUnreadData">Client sent 64 bytes then closed; server never reads (Recv-Q 65 + orphan).</param>
/// <param name="NeverAccepted">Client connected and closed before accept() (CLOSE_WAIT inode 0 + orphan).</param>
/// <param name="HalfClosed">Client shutdown(SHUT_WR), both ends held (FIN_WAIT2 with fd + server CLOSE_WAIT Recv-Q 1).</param>
/// <param name="TimeWait">Client closed first, then the server (TIME_WAIT on the client side).</param>
/// <param name="Established">Healthy pairs (two ESTABLISHED sockets each).</param>
internal sealed record Slice(int CloseWaitUnreadEof, int CloseWaitReadNotClosed, int CloseWaitUnreadData, int NeverAccepted, int HalfClosed, int TimeWait, int Established)
{
    /// <summary>The whole population divided among <paramref name="workers"/>; worker <paramref name="index"/> takes the remainders.</summary>
    internal static Slice Of(Slice total, int index, int workers)
    {
        int Part(int n) => (n / workers) + (index < n % workers ? 1 : 0);
        return new Slice(Part(total.CloseWaitUnreadEof), Part(total.CloseWaitReadNotClosed), Part(total.CloseWaitUnreadData),
            Part(total.NeverAccepted), Part(total.HalfClosed), Part(total.TimeWait), Part(total.Established));
    }

    /// <summary>Sockets per doctor class id that this slice produces (listeners excluded).</summary>
    internal Dictionary<string, int> ExpectedClasses() => new()
    {
        ["close-wait-unread-eof"] = CloseWaitUnreadEof + HalfClosed,
        ["close-wait-read-not-closed"] = CloseWaitReadNotClosed,
        ["close-wait-unread-data"] = CloseWaitUnreadData,
        ["close-wait-never-accepted"] = NeverAccepted,
        ["fin-wait2-orphaned"] = CloseWaitUnreadEof + CloseWaitReadNotClosed + CloseWaitUnreadData + NeverAccepted,
        ["fin-wait2-half-closed"] = HalfClosed,
        ["time-wait"] = TimeWait,
        ["established"] = 2 * Established,
    };

    /// <summary>Descriptors the worker holds at the end (listeners included).</summary>
    internal int Descriptors => CloseWaitUnreadEof + CloseWaitReadNotClosed + CloseWaitUnreadData + (2 * HalfClosed) + (2 * Established) + 7;
}
