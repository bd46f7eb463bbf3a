using System.Globalization;

namespace Teardown.Linux.Settings;

/// <summary>TCP line of /proc/net/sockstat (net/ipv4/proc.c:sockstat_seq_show).</summary>
/// <param name="InUse">Sockets in the TCP hash tables (not LISTEN-only).</param>
/// <param name="Orphan">Orphaned full sockets (not counting orphaned FIN_WAIT2 already turned into timewait).</param>
/// <param name="TimeWait">Timewait mini-sockets, including orphaned FIN_WAIT2.</param>
/// <param name="Alloc">Allocated TCP sockets.</param>
/// <param name="MemPages">TCP memory in pages.</param>
public readonly record struct TcpSockstat(long InUse, long Orphan, long TimeWait, long Alloc, long MemPages);

/// <summary>
/// Pure parser for /proc/net/sockstat and sockstat6: <c>"TCP: inuse 7 orphan 0 tw 4 alloc 16 mem 0"</c>
/// becomes <c>"TCP.inuse" → 7</c>, etc.
/// </summary>
public static class SockstatParser
{
    /// <summary>Parses every "PREFIX: name value name value ..." line.</summary>
    public static void Parse(ReadOnlySpan<char> text, IDictionary<string, long> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        Span<Range> tokens = stackalloc Range[32];
        foreach (var line in text.EnumerateLines())
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            string prefix = line[..colon].ToString();
            var rest = line[(colon + 1)..];
            int count = rest.Split(tokens, ' ', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i + 1 < count; i += 2)
            {
                if (long.TryParse(rest[tokens[i + 1]], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                {
                    into[string.Concat(prefix, ".", rest[tokens[i]])] = value;
                }
            }
        }
    }

    /// <summary>The TCP line as a typed value, or null if absent.</summary>
    public static TcpSockstat? Tcp(IReadOnlyDictionary<string, long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.TryGetValue("TCP.inuse", out long inuse)
            ? new TcpSockstat(
                inuse,
                values.GetValueOrDefault("TCP.orphan"),
                values.GetValueOrDefault("TCP.tw"),
                values.GetValueOrDefault("TCP.alloc"),
                values.GetValueOrDefault("TCP.mem"))
            : null;
    }
}
