using System.Globalization;
using Teardown.Model;

namespace Teardown.Scenarios.Fuzzing;

/// <summary>
/// Random valid scenarios from a weighted grammar (issue 11): 2–3 hosts with sysctls in their interesting
/// ranges, 1–4 connections, then calls, socket options, outside actions and network events on them, with
/// observations of every connection end at several instants, of packets and of counters. Pure: everything
/// comes from the seed. Lines are spaced by at least <see cref="FuzzOptions.Resolution"/>, so no two of them
/// race; races with what the kernel does on its own are removed afterwards by <see cref="RaceGuard"/>.
/// Expectations are written as placeholders: what the comparison looks at is what each target observes
/// there, not the value written (<see cref="ModelAnnotator"/> fills in the model's).
/// </summary>
public static class ScenarioGenerator
{
    public static ScenarioDraft Generate(ulong seed, FuzzOptions? options = null) =>
        new GeneratorRun(new Draw(new DeterministicRandom(Scramble(seed))), options ?? new FuzzOptions(), seed).Run();

    /// <summary>Neighbouring seeds (1, 2, 3…) would start the generator's stream alike; mix them first (splitmix64's finaliser).</summary>
    private static ulong Scramble(ulong seed)
    {
        unchecked
        {
            ulong z = seed + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}

/// <summary>One generation: the hosts, listeners and connection ends made so far, and the clock.</summary>
internal sealed class GeneratorRun(Draw draw, FuzzOptions options, ulong seed)
{
    private static readonly string[] HostNames = ["a", "b", "c"];

    /// <summary>The counters worth watching during a teardown (a subset of what the comparison checks at the end).</summary>
    private static readonly string[] Counters =
    [
        "TCPAbortOnData", "TCPAbortOnClose", "TCPAbortOnLinger", "TCPAbortOnTimeout", "TW", "TCPTimeWaitOverflow",
        "EstabResets", "OutRsts", "CurrEstab", "ActiveOpens", "PassiveOpens", "TCPKeepAlive",
    ];

    private readonly List<string> _header = [];
    private readonly List<DraftLine> _lines = [];
    private readonly List<string> _hosts = [];
    private readonly HashSet<string> _crashed = [];
    private readonly List<(string Host, string Name, int Port)> _listeners = [];
    private readonly List<End> _ends = [];
    private readonly HashSet<(string From, string To)> _directions = [];
    private readonly HashSet<(string From, string To)> _dropping = [];
    private TimeSpan _now;
    private int _connections;

    private sealed class End(string name, string host)
    {
        public string Name { get; } = name;
        public string Host { get; } = host;

        /// <summary>Closed, or its process killed, or its host crashed: calls on it would only say EBADF.</summary>
        public bool Dead { get; set; }
    }

    public ScenarioDraft Run()
    {
        int hosts = draw.Between(2, Math.Clamp(options.MaxHosts, 2, HostNames.Length));
        for (int i = 0; i < hosts; i++)
        {
            _hosts.Add(HostNames[i]);
            _header.Add("host " + HostNames[i]);
        }

        foreach (string h in _hosts) Sysctls(h);
        if (draw.Chance(25)) Link();

        Listeners();
        int connections = draw.Between(1, Math.Max(1, options.MaxConnections));
        for (int i = 0; i < connections; i++) Connect();
        if (draw.Chance(50)) Sweep();

        int actions = draw.Between(1, Math.Max(1, options.MaxActions));
        for (int i = 0; i < actions && Advance(Gap()); i++) Action();

        // The last word: every end, every direction that carried a connection, and a counter.
        if (Advance(Gap(short_: true)))
        {
            Sweep();
            foreach (var (from, to) in _directions.OrderBy(d => d.From, StringComparer.Ordinal).ThenBy(d => d.To, StringComparer.Ordinal))
            {
                Add($"expect packets {from}->{to}");
            }

            Add($"expect {draw.One(_hosts)} counter {draw.One(Counters)} 0");
        }

        string title = string.Create(CultureInfo.InvariantCulture, $"fuzz seed {seed}: {_hosts.Count} hosts, {_connections} connections");
        return new ScenarioDraft(title, _header, _lines);
    }

    private void Sysctls(string host)
    {
        if (!draw.Chance(45)) return;
        int count = draw.Between(1, 3);
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            (string key, int value) = draw.Pick<(string, int)>(
                (6, ("tcp_fin_timeout", draw.One(new[] { 1, 2, 3, 5, 10, 30, 59, 60, 61, 90 }))),
                (4, ("tcp_orphan_retries", draw.Between(0, 3))),
                (4, ("tcp_retries2", draw.One(new[] { 1, 2, 3, 5, 8 }))),
                (3, ("tcp_keepalive_time", draw.One(new[] { 1, 2, 5 }))),
                (2, ("tcp_keepalive_intvl", draw.Between(1, 2))),
                (2, ("tcp_keepalive_probes", draw.Between(1, 3))),
                (3, ("tcp_rfc1337", draw.Between(0, 1))),
                (3, ("tcp_max_tw_buckets", draw.Between(0, 2))),
                (1, ("tcp_syn_retries", draw.Between(1, 2))),
                (1, ("tcp_synack_retries", draw.Between(1, 2))));
            if (chosen.Add(key)) _header.Add(string.Create(CultureInfo.InvariantCulture, $"sysctl {host} net.ipv4.{key}={value}"));
        }
    }

    private void Link()
    {
        string a = _hosts[0], b = _hosts[1];
        int ms = draw.One(new[] { 1, 5, 20, 100 });
        _header.Add(string.Create(CultureInfo.InvariantCulture, $"link {a} {b} delay={ms}ms"));
    }

    private void Listeners()
    {
        int count = _hosts.Count > 2 && draw.Chance(30) ? 2 : 1;
        var servers = _hosts.OrderBy(_ => draw.Between(0, 1000)).Take(count).ToList();
        foreach (string host in servers)
        {
            string name = "L" + (_listeners.Count + 1).ToString(CultureInfo.InvariantCulture);
            int port = 8080 + _listeners.Count;
            string backlog = draw.Chance(10) ? " backlog=1" : "";
            Add(string.Create(CultureInfo.InvariantCulture, $"{host} listen {name} {port}{backlog}"));
            _listeners.Add((host, name, port));
            _now += options.Resolution;

            // An option set on the listener is inherited by every connection it accepts.
            if (draw.Chance(15))
            {
                Add($"{host} setsockopt {name} {SocketOptionText()}");
                _now += options.Resolution;
            }
        }
    }

    private void Connect()
    {
        if (_connections >= options.MaxConnections) return;
        var (serverHost, listener, port) = draw.One(_listeners.Where(l => !_crashed.Contains(l.Host)).DefaultIfEmpty(_listeners[0]).ToList());
        var clients = _hosts.Where(h => h != serverHost && !_crashed.Contains(h)).ToList();
        string client = clients.Count == 0 || draw.Chance(8) ? serverHost : draw.One(clients);
        if (_crashed.Contains(client)) return;
        _connections++;
        string n = _connections.ToString(CultureInfo.InvariantCulture);
        bool closedPort = draw.Chance(5);
        Add(string.Create(CultureInfo.InvariantCulture, $"{client} connect C{n} {serverHost}:{(closedPort ? 9 : port)}"));
        _ends.Add(new End("C" + n, client));
        _directions.Add((client, serverHost));
        _directions.Add((serverHost, client));
        if (closedPort || draw.Chance(8)) return; // refused, or never accepted: left in the accept queue

        Advance(draw.Pick((5, options.Resolution), (3, options.Resolution * 2), (2, TimeSpan.FromMilliseconds(250))));
        Add($"{serverHost} accept S{n} {listener}");
        _ends.Add(new End("S" + n, serverHost));
        Advance(options.Resolution);
    }

    private void Action()
    {
        var live = _ends.Where(e => !e.Dead).ToList();
        string kind = draw.Pick(
            (live.Count > 0 ? 14 : 0, "send"),
            (live.Count > 0 ? 10 : 0, "recv"),
            (live.Count > 0 ? 6 : 0, "shutdown"),
            (live.Count > 0 ? 11 : 0, "close"),
            (live.Count > 0 ? 4 : 0, "error"),
            (live.Count > 0 ? 10 : 0, "setsockopt"),
            (live.Count > 0 ? 2 : 0, "release"),
            (_ends.Count > 0 ? 2 : 0, "destroy"),
            (_ends.Count > 0 ? 1 : 0, "dead-call"),
            (2, "kill"),
            (5, "drop"),
            (_dropping.Count > 0 ? 5 : 0, "pass"),
            (1, "delay"),
            (2, "crash"),
            (_crashed.Count > 0 ? 3 : 0, "reboot"),
            (_connections < options.MaxConnections ? 4 : 0, "connect"),
            (8, "sweep"),
            (3, "packets"),
            (3, "counter"));
        End? e = live.Count > 0 ? draw.One(live) : null;
        switch (kind)
        {
            case "send":
                Add(string.Create(CultureInfo.InvariantCulture, $"{e!.Host} send {e.Name} {draw.Pick((4, 10), (2, 1), (2, 100), (2, 1000), (1, 3000))}"));
                break;
            case "recv":
                Add(string.Create(CultureInfo.InvariantCulture, $"{e!.Host} recv {e.Name} {draw.Pick((2, 1), (3, 10), (2, 100), (3, 10000))}"));
                break;
            case "shutdown":
                Add($"{e!.Host} shutdown {e.Name} {draw.Pick((4, "WR"), (1, "RD"), (2, "RDWR"))}");
                break;
            case "close":
                Add($"{e!.Host} close {e.Name}");
                e.Dead = true;
                break;
            case "error":
                Add($"{e!.Host} error {e.Name}");
                break;
            case "setsockopt":
                Add($"{e!.Host} setsockopt {e.Name} {SocketOptionText()}");
                break;
            case "release":
                Add($"{e!.Host} release {e.Name}");
                break;
            case "destroy":
            {
                End any = draw.One(_ends);
                Add($"{any.Host} destroy {any.Name}");
                break;
            }

            case "dead-call":
            {
                // A call on a name whose descriptor is gone: both targets must say EBADF.
                End any = draw.One(_ends);
                if (_crashed.Contains(any.Host)) goto case "sweep";
                Add($"{any.Host} {draw.Pick((1, "send " + any.Name + " 10"), (1, "recv " + any.Name + " 10"), (1, "error " + any.Name))}");
                break;
            }

            case "kill":
            {
                string host = draw.One(_hosts);
                if (_crashed.Contains(host)) goto case "sweep";
                Add($"{host} kill");
                foreach (End end in _ends.Where(x => x.Host == host)) end.Dead = true;
                _listeners.RemoveAll(l => l.Host == host);
                Advance(options.SlowEventGap);
                break;
            }

            case "drop":
            {
                var (from, to) = Pair();
                if (_dropping.Contains((from, to))) goto case "sweep";
                bool both = draw.Chance(40);
                Add($"net drop {from}{(both ? "<->" : "->")}{to}");
                _dropping.Add((from, to));
                if (both) _dropping.Add((to, from));
                break;
            }

            case "pass":
            {
                var (from, to) = draw.One(_dropping.OrderBy(d => d.From, StringComparer.Ordinal).ThenBy(d => d.To, StringComparer.Ordinal).ToList());
                Add($"net pass {from}->{to}");
                _dropping.Remove((from, to));
                break;
            }

            case "delay":
            {
                var (a, b) = Pair();
                Add(string.Create(CultureInfo.InvariantCulture, $"net delay {a}<->{b} {draw.One(new[] { 0, 10, 50, 200 })}ms"));
                break;
            }

            case "crash":
            {
                string host = draw.One(_hosts);
                if (_crashed.Contains(host)) goto case "sweep";
                Add($"{host} crash");
                _crashed.Add(host);
                foreach (End end in _ends.Where(x => x.Host == host)) end.Dead = true;
                _listeners.RemoveAll(l => l.Host == host);
                Advance(options.SlowEventGap);
                break;
            }

            case "reboot":
            {
                string host = draw.One(_crashed.Order(StringComparer.Ordinal).ToList());
                Add($"{host} reboot");
                _crashed.Remove(host);
                Advance(options.SlowEventGap);
                break;
            }

            case "connect":
                if (_listeners.Count == 0 || _listeners.All(l => _crashed.Contains(l.Host))) goto case "sweep";
                Connect();
                break;
            case "sweep":
                Sweep();
                break;
            case "packets":
            {
                if (_directions.Count == 0) goto case "sweep";
                var (from, to) = draw.One(_directions.OrderBy(d => d.From, StringComparer.Ordinal).ThenBy(d => d.To, StringComparer.Ordinal).ToList());
                Add($"expect packets {from}->{to}");
                break;
            }

            default:
                Add($"expect {draw.One(_hosts)} counter {draw.One(Counters)} 0");
                break;
        }
    }

    /// <summary>Every connection end observed at one instant (observations do not race each other).</summary>
    private void Sweep()
    {
        foreach (End e in _ends) Add($"expect {e.Name} ESTABLISHED");
    }

    private string SocketOptionText() => draw.Pick(
        (3, "SO_LINGER on 0"),
        (2, "SO_LINGER on " + draw.Between(1, 3).ToString(CultureInfo.InvariantCulture)),
        (1, "SO_LINGER off"),
        (3, "TCP_LINGER2 " + draw.One(new[] { -1, 0, 1, 3, 130 }).ToString(CultureInfo.InvariantCulture)),
        (3, "SO_KEEPALIVE on"),
        (1, "SO_KEEPALIVE off"),
        (2, "TCP_KEEPIDLE " + draw.One(new[] { 1, 2, 5 }).ToString(CultureInfo.InvariantCulture)),
        (2, "TCP_KEEPINTVL " + draw.Between(1, 2).ToString(CultureInfo.InvariantCulture)),
        (2, "TCP_KEEPCNT " + draw.Between(1, 3).ToString(CultureInfo.InvariantCulture)),
        (3, "TCP_USER_TIMEOUT " + draw.One(new[] { 0, 500, 1000, 3000 }).ToString(CultureInfo.InvariantCulture)));

    private (string A, string B) Pair()
    {
        string a = draw.One(_hosts);
        string b = draw.One(_hosts.Where(h => h != a).ToList());
        return (a, b);
    }

    /// <summary>How long until the next action: mostly short, sometimes long enough for a timer to run out.</summary>
    private TimeSpan Gap(bool short_ = false)
    {
        TimeSpan r = options.Resolution;
        TimeSpan gap = short_
            ? draw.Pick((3, r * 2), (2, TimeSpan.FromMilliseconds(500)), (2, TimeSpan.FromSeconds(2)), (1, TimeSpan.FromSeconds(10)))
            : draw.Pick(
                (20, r), (10, r * 2), (10, TimeSpan.FromMilliseconds(100)), (10, TimeSpan.FromMilliseconds(250)),
                (8, TimeSpan.FromMilliseconds(500)), (10, TimeSpan.FromSeconds(1)), (7, TimeSpan.FromSeconds(2)),
                (5, TimeSpan.FromSeconds(5)), (3, TimeSpan.FromSeconds(10)), (2, TimeSpan.FromSeconds(30)), (2, TimeSpan.FromSeconds(61)));
        return gap < r ? r : gap;
    }

    /// <summary>Moves the clock on, unless that would pass the end of the timeline; false then.</summary>
    private bool Advance(TimeSpan gap)
    {
        if (_now + gap > options.MaxDuration)
        {
            if (_now + options.Resolution > options.MaxDuration) return false;
            gap = options.Resolution;
        }

        _now += gap;
        return true;
    }

    /// <summary>
    /// Adds a line at the clock's time. Only observations share an instant (they read, they do not act); a
    /// call or an event never shares one with anything, so the clock moves on by the resolution when needed.
    /// </summary>
    private void Add(string statement)
    {
        if (_lines.Count > 0 && _lines[^1].At >= _now && !(IsObservation(_lines[^1].Statement) && IsObservation(statement)))
        {
            _now = _lines[^1].At + options.Resolution;
        }

        _lines.Add(new DraftLine(_now, statement));
    }

    internal static bool IsObservation(string statement) => statement.StartsWith("expect ", StringComparison.Ordinal);
}
