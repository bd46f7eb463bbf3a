using System.Globalization;

namespace Teardown.Lab;

/// <summary>Checks what the kernel lab needs before it touches anything.</summary>
public static class LabPrerequisites
{
    private const int CapNetAdmin = 12;
    private const int CapSysAdmin = 21;

    /// <summary>Null when the lab can run, else the one-line reason it cannot.</summary>
    public static string? MissingReason() => MissingReason(EffectiveCapabilities());

    /// <summary>The check itself, for a given CapEff bit set (testable without dropping privileges).</summary>
    internal static string? MissingReason(ulong caps)
    {
        var missing = new List<string>();
        if ((caps & (1UL << CapNetAdmin)) == 0) missing.Add("CAP_NET_ADMIN");
        if ((caps & (1UL << CapSysAdmin)) == 0) missing.Add("CAP_SYS_ADMIN");
        if (missing.Count > 0)
        {
            return $"the kernel lab needs root (or {string.Join(" and ", missing)}) to create network namespaces and TUN devices";
        }

        if (!File.Exists("/dev/net/tun")) return "the kernel lab needs /dev/net/tun (TUN driver) to carry packets between hosts";
        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip") && !File.Exists("/bin/ip"))
        {
            return "the kernel lab needs the iproute2 'ip' tool to create namespaces";
        }

        return null;
    }

    /// <summary>Throws <see cref="LabUnavailableException"/> when <see cref="MissingReason"/> is not null.</summary>
    public static void Ensure()
    {
        if (MissingReason() is { } reason) throw new LabUnavailableException(reason);
    }

    private static ulong EffectiveCapabilities()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                return ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
