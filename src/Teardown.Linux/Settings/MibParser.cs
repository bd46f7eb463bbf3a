using System.Globalization;

namespace Teardown.Linux.Settings;

/// <summary>
/// Pure parser for <c>/proc/net/netstat</c> and <c>/proc/net/snmp</c>: pairs of lines with the same
/// prefix, names then values (net/ipv4/proc.c:netstat_seq_show, snmp_seq_show):
/// <code>
/// TcpExt: SyncookiesSent SyncookiesRecv ... TCPAbortOnData ...
/// TcpExt: 0 0 ... 3 ...
/// </code>
/// Produces <c>"TcpExt.TCPAbortOnData" → 3</c>. Values are signed (Tcp MaxConn is -1).
/// </summary>
public static class MibParser
{
    /// <summary>Parses into <paramref name="into"/>; returns the number of unparsable value tokens.</summary>
    public static int Parse(ReadOnlySpan<char> text, IDictionary<string, long> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int bad = 0;
        ReadOnlySpan<char> names = default;
        foreach (var line in text.EnumerateLines())
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            if (names.IsEmpty || !names[..(names.IndexOf(':') + 1)].SequenceEqual(line[..(colon + 1)]))
            {
                names = line;
                continue;
            }

            string prefix = line[..colon].ToString();
            var nameTokens = names[(colon + 1)..];
            var valueTokens = line[(colon + 1)..];
            foreach (var (name, value) in Zip(nameTokens, valueTokens))
            {
                if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
                {
                    into[string.Concat(prefix, ".", name)] = number;
                }
                else
                {
                    bad++;
                }
            }

            names = default;
        }

        return bad;
    }

    private static List<(string Name, string Value)> Zip(ReadOnlySpan<char> names, ReadOnlySpan<char> values)
    {
        var pairs = new List<(string, string)>();
        var nameEnumerator = names.Split(' ');
        var valueEnumerator = values.Split(' ');
        while (true)
        {
            string? name = NextToken(names, ref nameEnumerator);
            string? value = NextToken(values, ref valueEnumerator);
            if (name is null || value is null)
            {
                return pairs;
            }

            pairs.Add((name, value));
        }
    }

    private static string? NextToken(ReadOnlySpan<char> source, ref MemoryExtensions.SpanSplitEnumerator<char> tokens)
    {
        while (tokens.MoveNext())
        {
            var token = source[tokens.Current];
            if (!token.IsEmpty)
            {
                return token.ToString();
            }
        }

        return null;
    }
}
