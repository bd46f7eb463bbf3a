namespace Teardown.Doctor.Findings;

/// <summary>Where a number shown to the user came from.</summary>
public enum FigureSource : byte
{
    /// <summary>Read from a kernel field (sock_diag, tcp_info, /proc/net/tcp).</summary>
    KernelField,
    /// <summary>Counted over the kernel's socket table.</summary>
    Count,
    /// <summary>Read from /proc/PID (descriptors, limits).</summary>
    Proc,
    /// <summary>Read from a sysctl.</summary>
    Sysctl,
    /// <summary>Computed with the model's reap rules (Teardown.Model.Rules.ReapRules).</summary>
    ModelRule,
    /// <summary>An estimate: an inference from other figures, stated with its assumption.</summary>
    Estimate,
    /// <summary>The model run forward from the observed sockets (Teardown.Doctor.Forecast.ModelForecaster).</summary>
    ModelRun,
}

/// <summary>Stable ids.</summary>
public static class FigureSourceIds
{
    /// <summary>The kebab-case id of a source, as the JSON report writes it.</summary>
    public static string Id(this FigureSource source) => source switch
    {
        FigureSource.KernelField => "kernel-field",
        FigureSource.Count => "count",
        FigureSource.Proc => "proc",
        FigureSource.Sysctl => "sysctl",
        FigureSource.ModelRule => "model-rule",
        FigureSource.ModelRun => "model-run",
        _ => "estimate",
    };
}

/// <summary>One number with its unit and provenance.</summary>
/// <param name="Id">Stable machine id (one of <see cref="FigureIds"/>); the JSON key that scripts match on.</param>
/// <param name="Name">What it measures, for people; its wording may change.</param>
/// <param name="Value">The value.</param>
/// <param name="Unit">The unit ("sockets", "s", "fds", "ports", "/min", "%").</param>
/// <param name="Source">Kind of provenance.</param>
/// <param name="Origin">The exact field, file or rule.</param>
public sealed record Figure(string Id, string Name, double Value, string Unit, FigureSource Source, string Origin)
{
    /// <summary>The stable id of the source.</summary>
    public string SourceId => Source.Id();

    /// <summary>Value and unit for display ("12.5 s", "300 sockets").</summary>
    public string Display => Value == Math.Floor(Value) && Math.Abs(Value) < 1e12
        ? $"{Value:0} {Unit}"
        : $"{Value:0.#} {Unit}";
}
