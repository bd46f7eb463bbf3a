using Teardown.Linux.Interop;

namespace Teardown.Linux.Inventory;

/// <summary>Who this process runs as, for commands that need root (namespaces, other users' /proc/PID/fd).</summary>
public static class Privileges
{
    /// <summary>True when the effective uid is 0.</summary>
    public static bool IsRoot => OperatingSystem.IsLinux() && Libc.geteuid() == 0;

    /// <summary>The real uid (who started the process, also under a set-uid binary).</summary>
    public static uint RealUid => Libc.getuid();

    /// <summary>
    /// The audit login uid (/proc/self/loginuid, kernel/audit.c): the user who logged in, kept
    /// across sudo and su; null when unset (4294967295) or unreadable.
    /// </summary>
    public static uint? LoginUid =>
        File.Exists("/proc/self/loginuid") && uint.TryParse(File.ReadAllText("/proc/self/loginuid").Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint id) && id != uint.MaxValue
            ? id
            : null;
}
