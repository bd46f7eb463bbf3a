using System.Globalization;

namespace Teardown.Lab.Namespaces;

/// <summary>
/// Names of lab namespaces and the stale-cleanup pass. A name is <c>td-PID-RUN-HOST[-GEN]</c>: the
/// owning process id makes leftovers of dead runs recognisable, the run id keeps parallel runs apart.
/// </summary>
public static class LabNamespaces
{
    /// <summary>Every lab namespace starts with this prefix.</summary>
    public const string Prefix = "td-";

    private const string NetnsDir = "/run/netns";

    /// <summary>The namespace name for a host of a run (generation counts reboots).</summary>
    public static string NameFor(int ownerPid, string runId, string host, int generation)
    {
        string h = new string(host.Where(char.IsAsciiLetterOrDigit).Take(12).ToArray());
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{ownerPid}-{runId}-{h}{(generation > 0 ? "-" + generation : "")}");
    }

    /// <summary>Every namespace name under /run/netns starting with <see cref="Prefix"/>.</summary>
    public static IReadOnlyList<string> List() =>
        Directory.Exists(NetnsDir)
            ? Directory.GetFiles(NetnsDir).Select(Path.GetFileName).Where(n => n!.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n!).ToList()
            : [];

    /// <summary>The pid encoded in a lab namespace name, or null when the name is not one of ours.</summary>
    public static int? OwnerPid(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        string rest = name[Prefix.Length..];
        int dash = rest.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    /// <summary>
    /// Deletes lab namespaces (and tracefs instances) whose owning process is gone (a crashed or killed
    /// run). Returns what was removed. Namespaces of live runs are left alone, so parallel runs are safe.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale()
    {
        var removed = new List<string>();
        foreach (string name in List())
        {
            int? pid = OwnerPid(name);
            if (pid is null || Directory.Exists("/proc/" + pid.Value.ToString(CultureInfo.InvariantCulture))) continue;
            KillProcessesIn(name);
            if (IpCommand.TryRun("netns", "del", name).Code == 0) removed.Add(name);
        }

        // tracefs instances are named td-PID-RUN too (Observation.StateTracer).
        const string instances = "/sys/kernel/tracing/instances";
        if (Directory.Exists(instances))
        {
            foreach (string dir in Directory.GetDirectories(instances))
            {
                int? pid = OwnerPid(Path.GetFileName(dir));
                if (pid is null || Directory.Exists("/proc/" + pid.Value.ToString(CultureInfo.InvariantCulture))) continue;
                try
                {
                    Directory.Delete(dir);
                    removed.Add(dir);
                }
                catch (IOException)
                {
                }
            }
        }

        return removed;
    }

    /// <summary>SIGKILLs every process still inside a namespace (e.g. an orphaned agent).</summary>
    internal static void KillProcessesIn(string name)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("netns");
        psi.ArgumentList.Add("pids");
        psi.ArgumentList.Add(name);
        using var p = System.Diagnostics.Process.Start(psi);
        if (p is null) return;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid != Environment.ProcessId)
            {
                Linux.Interop.Libc.kill(pid, Linux.Interop.LinuxConstants.SIGKILL);
            }
        }
    }
}
