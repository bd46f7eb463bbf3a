namespace Teardown.Scenarios.Syntax;

/// <summary>The outcome of parsing a scenario: the scenario when the file is valid, otherwise its diagnostics.</summary>
public sealed record ParseResult(Scenario? Scenario, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Scenario is not null;

    public static ParseResult Success(Scenario scenario) => new(scenario, []);

    public static ParseResult Failure(IReadOnlyList<Diagnostic> diagnostics) => new(null, diagnostics);
}
