using Teardown.Linux.Interop;

namespace Teardown.Linux.Owners;

/// <summary>
/// Socket owners by the cheapest way this host allows: the BPF task_file iterator (one read for every
/// descriptor on the host, root only), else one readlinkat per descriptor under /proc/*/fd. The scan says
/// which it used (<see cref="OwnerScan.Method"/>) and, after a fallback, why.
/// </summary>
public static class OwnerScanner
{
    /// <summary>Set to <c>proc</c> to make <see cref="OwnerScanMethod.Auto"/> skip the BPF iterator (benchmarks, comparisons).</summary>
    public const string MethodVariable = "TEARDOWN_OWNERS";

    public static OwnerScan Scan(OwnerScanMethod method)
    {
        if (method == OwnerScanMethod.Auto && string.Equals(Environment.GetEnvironmentVariable(MethodVariable), "proc", StringComparison.OrdinalIgnoreCase))
        {
            method = OwnerScanMethod.Proc;
        }

        if (method == OwnerScanMethod.Proc) return ProcFdScanner.Scan();
        if (method == OwnerScanMethod.Auto && Libc.geteuid() != 0) return ProcFdScanner.Scan();

        OwnerScan? bpf = TaskFileScanner.TryScan(out string? whyNot);
        return bpf ?? ProcFdScanner.Scan() with { Method = $"/proc/*/fd (BPF iterator unavailable: {whyNot})" };
    }
}
