using Teardown.Linux.Bpf;
using Teardown.Linux.Interop;

namespace Teardown.Linux.Proc;

/// <summary>
/// Socket owners by the cheapest way this host allows: the BPF task_file iterator (one read for every
/// descriptor on the host, root only), else one readlinkat per descriptor under /proc/*/fd. The scan says
/// which it used (<see cref="OwnerScan.Method"/>) and, after a fallback, why.
/// </summary>
public static class OwnerScanner
{
    /// <summary>Set to <c>proc</c> to skip the BPF iterator (benchmarks, comparisons).</summary>
    public const string MethodVariable = "TEARDOWN_OWNERS";

    public static OwnerScan Scan()
    {
        string? forced = Environment.GetEnvironmentVariable(MethodVariable);
        if (!string.Equals(forced, "proc", StringComparison.OrdinalIgnoreCase) && Libc.geteuid() == 0)
        {
            OwnerScan? bpf = TaskFileScanner.TryScan(out string? whyNot);
            if (bpf is not null) return bpf;
            return ProcFdScanner.Scan() with { Method = $"/proc/*/fd (BPF iterator unavailable: {whyNot})" };
        }

        return ProcFdScanner.Scan();
    }
}
