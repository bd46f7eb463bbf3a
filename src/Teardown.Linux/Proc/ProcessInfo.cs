namespace Teardown.Linux.Proc;

/// <summary>What the owner scan learned about one process that holds sockets.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Comm">/proc/PID/comm (the kernel's 15-character task name), or null if unreadable.</param>
/// <param name="Executable">First argument of /proc/PID/cmdline, or null if unreadable.</param>
/// <param name="CgroupPath">cgroup v2 path (or first v1 path) from /proc/PID/cgroup, or null.</param>
/// <param name="NoFileLimit">RLIMIT_NOFILE from /proc/PID/limits, or null if unreadable.</param>
/// <param name="FdCount">Open descriptors counted in /proc/PID/fd.</param>
/// <param name="SocketFdCount">Of those, descriptors that are sockets.</param>
/// <param name="NetNsInode">Inode of the process's network namespace, or 0 if unreadable.</param>
public sealed record ProcessInfo(
    int Pid,
    string? Comm,
    string? Executable,
    string? CgroupPath,
    FileLimit? NoFileLimit,
    int FdCount,
    int SocketFdCount,
    ulong NetNsInode);
