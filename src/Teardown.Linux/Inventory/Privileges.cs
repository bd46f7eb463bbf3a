using Teardown.Linux.Interop;

namespace Teardown.Linux.Inventory;

/// <summary>Who this process runs as, for commands that need root (namespaces, other users' /proc/PID/fd).</summary>
public static class Privileges
{
    /// <summary>True when the effective uid is 0.</summary>
    public static bool IsRoot => OperatingSystem.IsLinux() && Libc.geteuid() == 0;
}
