namespace Teardown.Doctor.Findings;

/// <summary>How urgent a finding is; the order is the display order's reverse.</summary>
public enum Severity : byte
{
    /// <summary>A note: the kernel clears it by itself.</summary>
    Info = 0,
    /// <summary>Worth fixing; no pressure yet.</summary>
    Low,
    /// <summary>A leak that grows.</summary>
    Medium,
    /// <summary>A large leak, or a limit half used.</summary>
    High,
    /// <summary>A limit nearly reached.</summary>
    Critical,
}

/// <summary>Stable names.</summary>
public static class SeverityNames
{
    /// <summary>Lower-case id.</summary>
    public static string Id(this Severity s) => s.ToString().ToLowerInvariant();
}
