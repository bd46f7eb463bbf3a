using Teardown.Doctor.Input;
using Teardown.Doctor.Report;

namespace Teardown.Doctor.Watch;

/// <summary>A bounded window of samples (default the last 5 minutes) for rates and forecasts.</summary>
public sealed class WatchHistory(TimeSpan? window = null)
{
    private readonly List<WatchSample> _samples = [];
    private readonly TimeSpan _window = window ?? TimeSpan.FromMinutes(5);

    /// <summary>The samples in the window, oldest first.</summary>
    public IReadOnlyList<WatchSample> Samples => _samples;

    /// <summary>Adds a sample and drops the ones older than the window.</summary>
    public void Add(WatchSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        _samples.Add(sample);
        _samples.RemoveAll(s => sample.At - s.At > _window);
    }

    /// <summary>The sample of a report and its input.</summary>
    /// <param name="report">The analysis.</param>
    /// <param name="input">What it analysed.</param>
    /// <param name="excludePid">A process left out of descriptor forecasts: the watcher itself, whose own descriptors are not the host's problem.</param>
    public static WatchSample SampleOf(DoctorReport report, DoctorInput input, int? excludePid = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(input);
        var processes = input.Processes.Values
            .Where(p => input.NetNsInode == 0 || p.NetNsInode == 0 || p.NetNsInode == input.NetNsInode)
            .Where(p => report.Filter.Pid is not int pid || p.Pid == pid)
            .Where(p => p.Pid != excludePid)
            .Select(p => new ProcessFds(p.Pid, p.Comm, p.FdCount, p.NoFileLimit?.Soft))
            .OrderByDescending(p => p.Fds).Take(10).ToList();
        // TIME_WAIT lasts TCP_TIMEWAIT_LEN; an orphaned FIN_WAIT2 tcp_fin_timeout (net/ipv4/tcp.c:__tcp_close).
        var lifetime = TimeSpan.FromSeconds(Math.Max(60, input.Settings.TcpFinTimeout ?? 60));
        return new WatchSample(report.TakenAt, report.ClassCounts, processes, report.PortUsage, lifetime);
    }

    /// <summary>Trends over the window.</summary>
    public IReadOnlyList<Trend> Trends() => Forecaster.Trends(_samples);
}
