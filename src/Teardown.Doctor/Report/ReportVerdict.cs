namespace Teardown.Doctor.Report;

/// <summary>The verdict on a set of reports as one number: the doctor's exit code, also written in its JSON.</summary>
public static class ReportVerdict
{
    /// <summary>
    /// 1 when there are findings (also when part of the host was hidden: what was seen is real), else
    /// 3 when permissions or missing kernel features hid part of the host, else 0.
    /// </summary>
    public static int ExitCode(IReadOnlyList<DoctorReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        return reports.Any(r => r.HasFindings) ? 1 : reports.Any(r => r.IsPartial) ? 3 : 0;
    }
}
