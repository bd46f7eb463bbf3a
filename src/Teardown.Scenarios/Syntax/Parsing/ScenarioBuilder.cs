using System.Net;

namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>What the parser has collected so far; <see cref="Build"/> makes the immutable <see cref="Scenario"/>.</summary>
internal sealed class ScenarioBuilder
{
    public string? Title { get; set; }

    public SourcePosition? TitleAt { get; set; }

    public List<(SourcePosition At, string Name, IPAddress? Address)> Hosts { get; } = [];

    public List<SysctlDecl> Sysctls { get; } = [];

    public List<LinkDecl> Links { get; } = [];

    public Tolerance Tolerance { get; set; } = Tolerance.Default;

    public SourcePosition? ToleranceAt { get; set; }

    public List<TimedLine> Timeline { get; } = [];

    public Scenario Build(string fileName, IReadOnlyDictionary<string, SocketDecl> sockets, IReadOnlyList<HostDecl> hosts) =>
        new(fileName, Title, hosts, Sysctls.ToArray(), Links.ToArray(), Tolerance, Timeline.ToArray())
        {
            Sockets = new Dictionary<string, SocketDecl>(sockets, StringComparer.Ordinal),
        };

    /// <summary>
    /// Hosts without <c>addr=</c> get 192.0.2.1, .2, … in declaration order, skipping every address
    /// written explicitly anywhere in the header, so a default never collides with an explicit one.
    /// Returns null, with the first host left without an address, once 192.0.2.1-254 (TEST-NET-1) are used up.
    /// </summary>
    public IReadOnlyList<HostDecl>? AssignAddresses(out (SourcePosition At, string Name)? unaddressed)
    {
        unaddressed = null;
        var taken = new HashSet<IPAddress>(Hosts.Where(h => h.Address is not null).Select(h => h.Address!));
        int next = 1;
        var result = new HostDecl[Hosts.Count];
        for (int i = 0; i < Hosts.Count; i++)
        {
            (SourcePosition at, string name, IPAddress? address) = Hosts[i];
            while (address is null)
            {
                if (next > 254)
                {
                    unaddressed = (at, name);
                    return null;
                }

                var candidate = new IPAddress([192, 0, 2, (byte)next++]);
                if (taken.Add(candidate)) address = candidate;
            }

            result[i] = new HostDecl(at, name, address);
        }

        return result;
    }
}
