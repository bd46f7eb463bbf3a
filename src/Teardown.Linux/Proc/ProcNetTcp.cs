using Teardown.Linux.Interop;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Proc;

/// <summary>Reads /proc/net/tcp{,6} of the calling thread's network namespace.</summary>
public static class ProcNetTcp
{
    /// <summary>
    /// Reads and parses <c>/proc/thread-self/net/tcp</c> (AF_INET) or <c>tcp6</c> (AF_INET6).
    /// thread-self rather than /proc/net: the latter follows the thread-group leader's namespace
    /// (fs/proc/proc_net.c:get_proc_task_net), which is wrong on a thread that called setns.
    /// </summary>
    public static LinuxResult<ProcNetTcpSummary> Read(byte family, List<SocketRecord> into)
    {
        string path = family == AddressFamilies.Inet ? "/proc/thread-self/net/tcp" : "/proc/thread-self/net/tcp6";
        string? text = ProcFs.TryReadText(path, out var errno);
        return text is null
            ? new LinuxError(errno, "read " + path)
            : ProcNetTcpParser.Parse(text, family, into);
    }
}
