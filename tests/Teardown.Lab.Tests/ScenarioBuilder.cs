using System.Net;
using Teardown.Model;
using Teardown.Scenarios.Syntax;

namespace Teardown.Lab.Tests;

/// <summary>Builds scenarios in code for the live tests (the .scn parser lives on another branch).</summary>
internal sealed class ScenarioBuilder
{
    private readonly List<HostDecl> _hosts = [];
    private readonly List<SysctlDecl> _sysctls = [];
    private readonly List<LinkDecl> _links = [];
    private readonly List<TimedLine> _lines = [];
    private TimeSpan _now;

    public ScenarioBuilder Host(string name, string? addr = null)
    {
        _hosts.Add(new HostDecl(default, name, IPAddress.Parse(addr ?? $"192.0.2.{_hosts.Count + 1}")));
        return this;
    }

    public ScenarioBuilder Sysctl(string host, string key, string value)
    {
        _sysctls.Add(new SysctlDecl(default, host, key, value));
        return this;
    }

    public ScenarioBuilder Link(string a, string b, TimeSpan delay)
    {
        _links.Add(new LinkDecl(default, a, b, delay));
        return this;
    }

    /// <summary>Adds a line <paramref name="after"/> the previous one (like <c>+0.1</c>).</summary>
    public ScenarioBuilder At(double afterSeconds, Statement st, ExpectedResult? result = null)
    {
        _now += TimeSpan.FromSeconds(afterSeconds);
        _lines.Add(new TimedLine(new SourcePosition(_lines.Count + 1, 1), _now, null, st, result, st.ToString()!));
        return this;
    }

    public ScenarioBuilder Expect(double afterSeconds, string socket, TcpState? state, TimerKind? timer = null, long? recvq = null, bool? orphan = null) =>
        At(afterSeconds, new ExpectSocket(socket, state, timer, null, recvq, null, orphan));

    public ScenarioBuilder Packets(double afterSeconds, string from, string to, string flags) =>
        At(afterSeconds, new ExpectPackets(from, to, flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f =>
        {
            TcpFlagsNotation.TryParse(f, out TcpFlags x);
            return x;
        }).ToList()));

    public Scenario Build(string title = "test") => new("test.scn", title, _hosts, _sysctls, _links, Tolerance.Default, _lines);
}
