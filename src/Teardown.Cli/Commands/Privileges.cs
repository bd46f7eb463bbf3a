using System.Runtime.InteropServices;

namespace Teardown.Cli.Commands;

/// <summary>Who we run as.</summary>
internal static partial class Privileges
{
    /// <summary>True when the effective uid is 0.</summary>
    internal static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
