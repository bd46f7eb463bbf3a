using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Teardown.Model;

namespace Teardown.Lab.Observation;

/// <summary>One <c>sock:inet_sock_set_state</c> event: a full socket changed state (tcp.c:tcp_set_state).</summary>
public sealed record StateEvent(long TimestampNs, IPEndPoint Source, IPEndPoint Destination, TcpState OldState, TcpState NewState);

/// <summary>Parses tracefs text lines of the <c>inet_sock_set_state</c> event (print format of include/trace/events/sock.h).</summary>
public static partial class StateEventParser
{
    /// <summary>Parses one line of trace_pipe; null for anything else (other events, IPv6, lost-event notes).</summary>
    public static StateEvent? TryParse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Match m = Line().Match(line);
        if (!m.Success) return null;
        if (!TryState(m.Groups["old"].Value, out TcpState oldState) || !TryState(m.Groups["new"].Value, out TcpState newState)) return null;
        long sec = long.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture);
        string frac = m.Groups["f"].Value.PadRight(9, '0')[..9];
        long ns = sec * 1_000_000_000 + long.Parse(frac, CultureInfo.InvariantCulture);
        var src = new IPEndPoint(IPAddress.Parse(m.Groups["sa"].Value), int.Parse(m.Groups["sp"].Value, CultureInfo.InvariantCulture));
        var dst = new IPEndPoint(IPAddress.Parse(m.Groups["da"].Value), int.Parse(m.Groups["dp"].Value, CultureInfo.InvariantCulture));
        return new StateEvent(ns, src, dst, oldState, newState);
    }

    private static bool TryState(string name, out TcpState state) =>
        TcpStateNames.TryParse(name.StartsWith("TCP_", StringComparison.Ordinal) ? name[4..] : name, out state);

    [GeneratedRegex(@"\s(?<s>\d+)\.(?<f>\d+): inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=(?<sp>\d+) dport=(?<dp>\d+) saddr=(?<sa>[\d.]+) daddr=(?<da>[\d.]+) .*oldstate=(?<old>\w+) newstate=(?<new>\w+)")]
    private static partial Regex Line();
}
