using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Checking;

/// <summary>
/// The outcome of checking one thing a line asserts (its result, its return time, or its expectation):
/// what the scenario expected and what the trace shows, both in scenario notation.
/// </summary>
public sealed record Verdict(TimedLine Line, bool Passed, string Expected, string Observed);
