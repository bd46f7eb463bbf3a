using System.Globalization;

namespace Teardown.Lab.Observation;

/// <summary>
/// Parses /proc/net/netstat and /proc/net/snmp: pairs of lines <c>Prefix: Name1 Name2 …</c> then
/// <c>Prefix: v1 v2 …</c>. Only the <c>Tcp</c> and <c>TcpExt</c> groups are kept. Each counter is
/// stored both as <c>Prefix.Name</c> and as the bare name (TcpExt wins no clash: Tcp and TcpExt names
/// are disjoint on Linux 6.x). The Tcp constants RtoAlgorithm, RtoMin, RtoMax and MaxConn are left out.
/// </summary>
public static class NetstatParser
{
    /// <summary>Parses one or more files' text into counter values.</summary>
    public static Dictionary<string, long> Parse(params string[] texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (string text in texts)
        {
            string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i + 1 < lines.Length; i += 2)
            {
                string[] names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string[] values = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (names.Length != values.Length || names.Length == 0 || names[0] != values[0]) continue;
                string prefix = names[0].TrimEnd(':');
                if (prefix is not ("Tcp" or "TcpExt")) continue;
                for (int k = 1; k < names.Length; k++)
                {
                    if (prefix == "Tcp" && names[k] is "RtoAlgorithm" or "RtoMin" or "RtoMax" or "MaxConn") continue; // constants, not counters
                    if (!long.TryParse(values[k], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)) continue;
                    result[prefix + "." + names[k]] = v;
                    result[names[k]] = v;
                }
            }
        }

        return result;
    }

    /// <summary>Counter-by-counter difference <paramref name="now"/> − <paramref name="baseline"/>.</summary>
    public static Dictionary<string, long> Delta(IReadOnlyDictionary<string, long> now, IReadOnlyDictionary<string, long> baseline)
    {
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(baseline);
        var d = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var kv in now) d[kv.Key] = kv.Value - baseline.GetValueOrDefault(kv.Key);
        return d;
    }
}
