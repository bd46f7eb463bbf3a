namespace Teardown.Server.Metrics;

/// <summary>The metrics of one snapshot in both formats, rendered once and served to every scraper.</summary>
/// <param name="Text">Prometheus text format 0.0.4.</param>
/// <param name="OpenMetrics">OpenMetrics 1.0.0 text.</param>
public sealed record MetricsExposition(ReadOnlyMemory<byte> Text, ReadOnlyMemory<byte> OpenMetrics)
{
    /// <summary>Content type of <see cref="Text"/>.</summary>
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Content type of <see cref="OpenMetrics"/>.</summary>
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// <summary>
    /// Whether a scraper's Accept header asks for OpenMetrics. Prometheus sends
    /// <c>application/openmetrics-text;version=1.0.0,…;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1</c>;
    /// anything naming openmetrics-text with a non-zero quality gets it.
    /// </summary>
    public static bool WantsOpenMetrics(string? accept)
    {
        if (string.IsNullOrEmpty(accept)) return false;
        foreach (string part in accept.Split(','))
        {
            var fields = part.Split(';', StringSplitOptions.TrimEntries);
            if (!fields[0].Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase)) continue;
            bool refused = fields.Skip(1).Any(f => f.StartsWith("q=", StringComparison.OrdinalIgnoreCase) &&
                double.TryParse(f.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture, out double q) && q <= 0);
            if (!refused) return true;
        }

        return false;
    }
}
