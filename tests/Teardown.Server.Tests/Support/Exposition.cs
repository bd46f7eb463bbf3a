using System.Globalization;
using System.Text;

namespace Teardown.Server.Tests.Support;

/// <summary>Reads the Prometheus text format back: one sample per line, <c>name{labels} value</c>.</summary>
internal static class Exposition
{
    internal static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>The value of the sample whose name and labels are exactly <paramref name="series"/>, e.g. <c>teardown_sockets_by_state{state="close_wait"}</c>.</summary>
    internal static double Value(string text, string series)
    {
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(series.Length + 1), CultureInfo.InvariantCulture);
            }
        }

        throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{text}");
    }

    /// <summary>Metric families announced by <c># TYPE</c> lines.</summary>
    internal static HashSet<string> Families(string text) =>
        [.. text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2])];

    /// <summary>Samples of one family (any labels).</summary>
    internal static List<string> Samples(string text, string family) =>
        [.. text.Split('\n').Where(l => l.StartsWith(family + "{", StringComparison.Ordinal) || l.StartsWith(family + " ", StringComparison.Ordinal))];
}
