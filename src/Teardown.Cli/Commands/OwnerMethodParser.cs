using Teardown.Linux.Owners;

namespace Teardown.Cli.Commands;

/// <summary>The <c>--owners</c> values, shared by the option's validation and the early owner prefetch (Program.cs).</summary>
internal static class OwnerMethodParser
{
    public static OwnerScanMethod? TryParse(string? value) => value?.ToLowerInvariant() switch
    {
        "auto" => OwnerScanMethod.Auto,
        "bpf" => OwnerScanMethod.Bpf,
        "proc" => OwnerScanMethod.Proc,
        _ => null,
    };

    /// <summary>The method a raw command line asks for (<c>--owners X</c> or <c>--owners=X</c>); Auto when absent or invalid.</summary>
    public static OwnerScanMethod FromArgs(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string? value = args[i] == "--owners" && i + 1 < args.Count ? args[i + 1]
                : args[i].StartsWith("--owners=", StringComparison.Ordinal) ? args[i]["--owners=".Length..]
                : null;
            if (value is not null) return TryParse(value) ?? OwnerScanMethod.Auto;
        }

        return OwnerScanMethod.Auto;
    }
}
