using System.Globalization;
using Teardown.Linux.Interop;

namespace Teardown.Linux.Settings;

/// <summary>
/// Reads <c>/proc/sys/net/...</c>. Network sysctls resolve against the <b>calling thread's</b>
/// namespace (net/sysctl_net.c:net_ctl_header_lookup uses current->nsproxy), so call this from a
/// thread inside the namespace of interest (see <see cref="Namespaces.NetNs.Run{T}"/>).
/// </summary>
public static class SysctlReader
{
    /// <summary>Reads one sysctl by dotted name (<c>net.ipv4.tcp_fin_timeout</c>); null if unreadable.</summary>
    public static string? Read(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ProcFs.TryReadText("/proc/sys/" + name.Replace('.', '/'), out _)?.Trim();
    }

    /// <summary>Writes one sysctl (for tests and the lab, in private namespaces).</summary>
    public static LinuxError? Write(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ProcFs.TryWriteText("/proc/sys/" + name.Replace('.', '/'), value);
    }

    /// <summary>Reads the teardown-relevant TCP sysctls of the calling thread's namespace.</summary>
    public static NetSettings ReadNetSettings()
    {
        var unreadable = new List<string>();
        int? Int(string name)
        {
            string? text = Read(name);
            if (text is not null && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            {
                return value;
            }

            unreadable.Add(name);
            return null;
        }

        var (low, high) = ParsePortRange(Read("net.ipv4.ip_local_port_range"));
        if (low is null)
        {
            unreadable.Add("net.ipv4.ip_local_port_range");
        }

        return new NetSettings
        {
            TcpFinTimeout = Int("net.ipv4.tcp_fin_timeout"),
            TcpMaxOrphans = Int("net.ipv4.tcp_max_orphans"),
            TcpMaxTwBuckets = Int("net.ipv4.tcp_max_tw_buckets"),
            LocalPortLow = low,
            LocalPortHigh = high,
            TcpKeepaliveTime = Int("net.ipv4.tcp_keepalive_time"),
            TcpKeepaliveIntvl = Int("net.ipv4.tcp_keepalive_intvl"),
            TcpKeepaliveProbes = Int("net.ipv4.tcp_keepalive_probes"),
            TcpOrphanRetries = Int("net.ipv4.tcp_orphan_retries"),
            TcpRetries2 = Int("net.ipv4.tcp_retries2"),
            Unreadable = unreadable,
        };
    }

    /// <summary>Parses <c>ip_local_port_range</c> ("32768\t60999"). Pure.</summary>
    public static (int? Low, int? High) ParsePortRange(string? text)
    {
        if (text is null)
        {
            return (null, null);
        }

        Span<Range> parts = stackalloc Range[3];
        var span = text.AsSpan();
        return span.SplitAny(parts, " \t\n", StringSplitOptions.RemoveEmptyEntries) == 2
            && int.TryParse(span[parts[0]], NumberStyles.None, CultureInfo.InvariantCulture, out int low)
            && int.TryParse(span[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture, out int high)
            ? (low, high)
            : (null, null);
    }
}
