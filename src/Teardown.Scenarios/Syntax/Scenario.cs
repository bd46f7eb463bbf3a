using System.Net;

namespace Teardown.Scenarios.Syntax;

/// <summary>Where a construct stands in its file (1-based line and column).</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>A parsed <c>.scn</c> file (scenario-format.md, version 1). Immutable; names are already resolved.</summary>
public sealed record Scenario(
    string FileName,
    string? Title,
    IReadOnlyList<HostDecl> Hosts,
    IReadOnlyList<SysctlDecl> Sysctls,
    IReadOnlyList<LinkDecl> Links,
    Tolerance Tolerance,
    IReadOnlyList<TimedLine> Timeline)
{
    /// <summary>Every socket name, with the host that owns it and the line that created it.</summary>
    public IReadOnlyDictionary<string, SocketDecl> Sockets { get; init; } = new Dictionary<string, SocketDecl>();

    public HostDecl Host(string name) => Hosts.First(h => h.Name == name);
}

/// <summary><c>host NAME [addr=IPV4]</c>; <see cref="Address"/> is filled with the default 192.0.2.N when absent.</summary>
public sealed record HostDecl(SourcePosition At, string Name, IPAddress Address);

/// <summary><c>sysctl HOST KEY=VALUE</c>; <see cref="Key"/> is the full dotted name as written (e.g. net.ipv4.tcp_fin_timeout).</summary>
public sealed record SysctlDecl(SourcePosition At, string Host, string Key, string Value)
{
    /// <summary>The last dotted component, e.g. <c>tcp_fin_timeout</c>.</summary>
    public string ShortKey => Key[(Key.LastIndexOf('.') + 1)..];
}

/// <summary><c>link A B [delay=DUR]</c>: the one-way delay between two hosts.</summary>
public sealed record LinkDecl(SourcePosition At, string A, string B, TimeSpan Delay);

/// <summary><c>tolerance DUR [PCT%]</c>: an observed time passes if within max(Absolute, Percent × expected interval).</summary>
public sealed record Tolerance(TimeSpan Absolute, double Percent)
{
    public static Tolerance Default { get; } = new(TimeSpan.FromMilliseconds(50), 5);

    /// <summary>The allowed deviation for an interval of the given length.</summary>
    public TimeSpan Allowed(TimeSpan expectedInterval) =>
        TimeSpan.FromTicks(Math.Max(Absolute.Ticks, (long)(Math.Abs(expectedInterval.Ticks) * Percent / 100.0)));
}

/// <summary>A socket name: the host it lives on and the statement that created it.</summary>
public sealed record SocketDecl(string Name, string Host, SourcePosition DeclaredAt, SocketRole Role);

public enum SocketRole
{
    Listener,
    Connector,
    Accepted,
}

/// <summary>
/// <c>TIME STATEMENT [= RESULT]</c>. <see cref="At"/> is absolute from the scenario start (relative
/// times already resolved); <see cref="ReturnsAt"/> is set for <c>START...END</c> blocking calls.
/// </summary>
public sealed record TimedLine(SourcePosition Where, TimeSpan At, TimeSpan? ReturnsAt, Statement Statement, ExpectedResult? Result, string Text);
