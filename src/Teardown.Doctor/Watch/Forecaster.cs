using Teardown.Doctor.Classification;

namespace Teardown.Doctor.Watch;

/// <summary>A count's growth and, when it has a limit, when it reaches it.</summary>
/// <param name="Name">What is counted ("CLOSE_WAIT unread EOF", "fds of nginx (pid 4)", "ports to 10.0.0.5:6379").</param>
/// <param name="Current">The latest value.</param>
/// <param name="PerMinute">Growth per minute (least-squares slope over the window); an estimate.</param>
/// <param name="Limit">The ceiling, if any.</param>
/// <param name="TimeToLimit">When the ceiling is reached at this rate; null if not growing or no ceiling.</param>
public sealed record Trend(string Name, double Current, double PerMinute, double? Limit, TimeSpan? TimeToLimit);

/// <summary>
/// Growth rates and exhaustion forecasts from a window of samples: pure. Rates are least-squares
/// slopes, so one noisy sample does not flip the forecast.
/// </summary>
public static class Forecaster
{
    /// <summary>Slope in units per minute of (time, value) points; 0 with fewer than two distinct times.</summary>
    public static double SlopePerMinute(IReadOnlyList<(DateTimeOffset At, double Value)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 2) return 0;
        var t0 = points[0].At;
        double n = points.Count, sx = 0, sy = 0, sxx = 0, sxy = 0;
        foreach (var (at, v) in points)
        {
            double x = (at - t0).TotalMinutes;
            sx += x; sy += v; sxx += x * x; sxy += x * v;
        }

        double den = (n * sxx) - (sx * sx);
        return den <= 1e-12 ? 0 : ((n * sxy) - (sx * sy)) / den;
    }

    /// <summary>Time until <paramref name="current"/> reaches <paramref name="limit"/> at <paramref name="perMinute"/>.</summary>
    public static TimeSpan? TimeToLimit(double current, double perMinute, double? limit)
    {
        if (limit is not double l || perMinute <= 0) return null;
        if (current >= l) return TimeSpan.Zero;
        double minutes = (l - current) / perMinute;
        return minutes > TimeSpan.MaxValue.TotalMinutes / 2 ? null : TimeSpan.FromMinutes(minutes);
    }

    /// <summary>
    /// Ephemeral ports toward one destination. Sockets the kernel reaps by itself (TIME_WAIT, timed
    /// orphans) live at most <see cref="WatchSample.ReapLifetime"/>, so their number levels off at
    /// creation rate × lifetime: while the window is younger than the lifetime their growth is the
    /// creation rate, not a trend. Only ports held by processes grow without bound. The forecast is
    /// the time until held ports reach the range minus the reaped ones' steady level — or now, when
    /// that level alone fills the range.
    /// </summary>
    internal static Trend PortTrend(IReadOnlyList<WatchSample> window, Report.PortUsage d)
    {
        var held = window.Select(s => (s.At, (double)(s.Ports.FirstOrDefault(q => q.Destination == d.Destination)?.Held ?? 0))).ToList();
        var reaped = window.Select(s => (s.At, (double)(s.Ports.FirstOrDefault(q => q.Destination == d.Destination)?.Reaped ?? 0))).ToList();
        var all = window.Select(s => (s.At, (double)(s.Ports.FirstOrDefault(q => q.Destination == d.Destination)?.InUse ?? 0))).ToList();
        double heldRate = SlopePerMinute(held), reapedRate = Math.Max(0, SlopePerMinute(reaped));
        var span = window[^1].At - window[0].At;
        var lifetime = window[^1].ReapLifetime;
        // Steady level of the reaped ones: what is there now, plus what keeps arriving until the first ones expire.
        double steady = d.Reaped + (lifetime > span ? reapedRate * (lifetime - span).TotalMinutes : 0);
        TimeSpan? left = steady + d.Held >= d.RangeSize ? (steady > d.Reaped && reapedRate > 0 ? TimeSpan.FromMinutes((d.RangeSize - d.InUse) / reapedRate) : TimeSpan.Zero)
            : TimeToLimit(d.Held, heldRate, d.RangeSize - steady);
        if (left is TimeSpan l && l < TimeSpan.Zero) left = TimeSpan.Zero;
        return new Trend($"ephemeral ports to {d.Destination}", d.InUse, SlopePerMinute(all), d.RangeSize, left);
    }

    /// <summary>Trends of every class, every process's descriptors and every destination's ports in the window.</summary>
    public static IReadOnlyList<Trend> Trends(IReadOnlyList<WatchSample> window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var trends = new List<Trend>();
        if (window.Count == 0) return trends;
        var last = window[^1];
        foreach (var c in ClassNames.All)
        {
            if (c is SocketClass.Other || window.All(s => !s.Classes.ContainsKey(c))) continue;
            var points = window.Select(s => (s.At, (double)s.Classes.GetValueOrDefault(c))).ToList();
            double rate = SlopePerMinute(points);
            trends.Add(new Trend(c.Id(), points[^1].Item2, rate, null, null));
        }

        foreach (var p in last.Processes)
        {
            var points = window.Select(s => (s.At, (double)(s.Processes.FirstOrDefault(q => q.Pid == p.Pid) is { Pid: > 0 } q ? q.Fds : p.Fds))).ToList();
            double rate = SlopePerMinute(points);
            trends.Add(new Trend($"fds of {p.Comm ?? "?"} (pid {p.Pid})", p.Fds, rate, p.Limit, TimeToLimit(p.Fds, rate, p.Limit)));
        }

        foreach (var d in last.Ports)
        {
            trends.Add(PortTrend(window, d));
        }

        return trends;
    }
}
