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

    public Scenario Build(string fileName, IReadOnlyDictionary<string, SocketDecl> sockets) =>
        new(fileName, Title, AssignAddresses(), Sysctls.ToArray(), Links.ToArray(), Tolerance, Timeline.ToArray())
        {
            Sockets = new Dictionary<string, SocketDecl>(sockets, StringComparer.Ordinal),
        };

    /// <summary>
    /// Hosts without <c>addr=</c> get 192.0.2.1, .2, … in declaration order, skipping every address
    /// written explicitly anywhere in the header, so a default never collides with an explicit one.
    /// </summary>
    private HostDecl[] AssignAddresses()
    {
        var taken = new HashSet<IPAddress>(Hosts.Where(h => h.Address is not null).Select(h => h.Address!));
        int next = 1;
        var result = new HostDecl[Hosts.Count];
        for (int i = 0; i < Hosts.Count; i++)
        {
            (SourcePosition at, string name, IPAddress? address) = Hosts[i];
            if (address is null)
            {
                do
                {
                    // 192.0.2.0/24 (TEST-NET-1) has 254 usable hosts; more hosts than that need explicit addresses.
                    address = new IPAddress([192, 0, 2, (byte)Math.Min(next, 255)]);
                    next++;
                }
                while (taken.Contains(address) && next <= 255);

                taken.Add(address);
            }

            result[i] = new HostDecl(at, name, address);
        }

        return result;
    }
}
