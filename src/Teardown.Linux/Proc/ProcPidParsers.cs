using System.Globalization;
using System.Text;

namespace Teardown.Linux.Proc;

/// <summary>RLIMIT_NOFILE as read from /proc/PID/limits; null means "unlimited".</summary>
/// <param name="Soft">Soft limit (what open() is checked against).</param>
/// <param name="Hard">Hard limit (ceiling for raising the soft limit).</param>
public readonly record struct FileLimit(long? Soft, long? Hard);

/// <summary>Pure parsers for small per-process procfs files.</summary>
public static class ProcPidParsers
{
    /// <summary>
    /// The cgroup path from /proc/PID/cgroup (kernel/cgroup/cgroup.c:proc_cgroup_show): the cgroup v2
    /// line <c>0::/path</c> when present, else the first v1 line's path. Null if none parses.
    /// </summary>
    public static string? ParseCgroupPath(ReadOnlySpan<char> text)
    {
        string? first = null;
        foreach (var line in text.EnumerateLines())
        {
            int firstColon = line.IndexOf(':');
            if (firstColon < 0)
            {
                continue;
            }

            int secondColon = line[(firstColon + 1)..].IndexOf(':');
            if (secondColon < 0)
            {
                continue;
            }

            var path = line[(firstColon + secondColon + 2)..];
            if (line.StartsWith("0::", StringComparison.Ordinal))
            {
                return path.ToString();
            }

            first ??= path.ToString();
        }

        return first;
    }

    /// <summary>
    /// The "Max open files" row of /proc/PID/limits (fs/proc/base.c:proc_pid_limits), whose columns
    /// are soft, hard, units; "unlimited" becomes null. Returns null if the row is missing.
    /// </summary>
    public static FileLimit? ParseNoFileLimit(ReadOnlySpan<char> text)
    {
        foreach (var line in text.EnumerateLines())
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }

            Span<Range> parts = stackalloc Range[4];
            var rest = line["Max open files".Length..];
            if (rest.Split(parts, ' ', StringSplitOptions.RemoveEmptyEntries) < 2)
            {
                return null;
            }

            return TryLimit(rest[parts[0]], out var soft) && TryLimit(rest[parts[1]], out var hard)
                ? new FileLimit(soft, hard)
                : null;
        }

        return null;
    }

    /// <summary>The first NUL-separated argument of /proc/PID/cmdline (empty for kernel threads).</summary>
    public static string FirstCommandLineArgument(ReadOnlySpan<byte> cmdline)
    {
        int end = cmdline.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? cmdline : cmdline[..end]);
    }

    private static bool TryLimit(ReadOnlySpan<char> text, out long? value)
    {
        value = null;
        if (text.SequenceEqual("unlimited"))
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }
}
