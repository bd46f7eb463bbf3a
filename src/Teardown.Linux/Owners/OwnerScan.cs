using Teardown.Linux.Proc;

namespace Teardown.Linux.Owners;

/// <summary>Result of one pass over /proc/*/fd.</summary>
/// <param name="Owners">Socket inode → (pid, fd).</param>
/// <param name="Processes">Processes holding at least one socket, by pid.</param>
/// <param name="ProcessesScanned">Processes whose fd directory was read.</param>
/// <param name="ProcessesVanished">Processes that exited between listing /proc and reading their fds (normal).</param>
/// <param name="ProcessesUnreadable">Processes whose fd directory was not readable (EACCES/EPERM: another user without root).</param>
/// <param name="FdsVanished">Descriptors closed between listing and readlink (normal).</param>
/// <param name="FdsScanned">Descriptors examined.</param>
/// <param name="ProcError">Set when /proc itself could not be opened (nothing was scanned).</param>
/// <param name="Method">How owners were found: one readlinkat per descriptor under /proc, or a BPF task_file iterator.</param>
public sealed record OwnerScan(
    OwnerIndex Owners,
    IReadOnlyDictionary<int, ProcessInfo> Processes,
    int ProcessesScanned,
    int ProcessesVanished,
    int ProcessesUnreadable,
    int FdsVanished,
    long FdsScanned,
    Interop.LinuxError? ProcError = null,
    string Method = "/proc/*/fd");
