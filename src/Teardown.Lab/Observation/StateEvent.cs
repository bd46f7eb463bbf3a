using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Teardown.Model;

namespace Teardown.Lab.Observation;

/// <summary>
/// One <c>sock:inet_sock_set_state</c> event: a full socket changed state (tcp.c:tcp_set_state).
/// <paramref name="Socket"/> is the kernel address of the sock (the event's skaddr; 0 when the line did not
/// carry it): it ties together the events of one socket, including the SYN_SENT of a connect, which comes
/// before inet_hash_connect has picked the source port (tcp_ipv4.c:tcp_v4_connect).
/// </summary>
public sealed record StateEvent(long TimestampNs, IPEndPoint Source, IPEndPoint Destination, TcpState OldState, TcpState NewState, ulong Socket = 0);

/// <summary>
/// Parses tracefs text lines of the <c>inet_sock_set_state</c> event: with the instance's <c>fields</c>
/// option (every field as <c>name=0xHEX (DECIMAL)</c>, skaddr included), or in the event's own print format
/// (include/trace/events/sock.h), which omits skaddr.
/// </summary>
public static partial class StateEventParser
{
    /// <summary>Parses one line of trace_pipe; null for anything else (other events, IPv6, lost-event notes).</summary>
    public static StateEvent? TryParse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Match m = Fields().Match(line);
        if (m.Success) return FromFields(m);
        m = Printed().Match(line);
        if (!m.Success) return null;
        if (!TryState(m.Groups["old"].Value, out TcpState oldState) || !TryState(m.Groups["new"].Value, out TcpState newState)) return null;
        var src = new IPEndPoint(IPAddress.Parse(m.Groups["sa"].Value), Int(m, "sp"));
        var dst = new IPEndPoint(IPAddress.Parse(m.Groups["da"].Value), Int(m, "dp"));
        return new StateEvent(Timestamp(m), src, dst, oldState, newState);
    }

    private static StateEvent? FromFields(Match m)
    {
        if (Int(m, "fam") != Linux.Interop.LinuxConstants.AF_INET) return null;
        int oldState = Int(m, "old");
        int newState = Int(m, "new");
        if (!Enum.IsDefined((TcpState)oldState) || !Enum.IsDefined((TcpState)newState)) return null;

        // saddr/daddr are __u8[4] printed as one host-order (little-endian) integer: its bytes are the address.
        var src = new IPEndPoint(new IPAddress(long.Parse(m.Groups["sa"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)), Int(m, "sp"));
        var dst = new IPEndPoint(new IPAddress(long.Parse(m.Groups["da"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)), Int(m, "dp"));
        ulong sk = ulong.Parse(m.Groups["sk"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new StateEvent(Timestamp(m), src, dst, (TcpState)oldState, (TcpState)newState, sk);
    }

    private static long Timestamp(Match m)
    {
        long sec = long.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture);
        string frac = m.Groups["f"].Value.PadRight(9, '0')[..9];
        return sec * 1_000_000_000 + long.Parse(frac, CultureInfo.InvariantCulture);
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static bool TryState(string name, out TcpState state) =>
        TcpStateNames.TryParse(name.StartsWith("TCP_", StringComparison.Ordinal) ? name[4..] : name, out state);

    [GeneratedRegex(@"\s(?<s>\d+)\.(?<f>\d+): inet_sock_set_state: skaddr=0x(?<sk>[0-9a-f]+) \(-?\d+\) oldstate=0x[0-9a-f]+ \((?<old>\d+)\) newstate=0x[0-9a-f]+ \((?<new>\d+)\) sport=0x[0-9a-f]+ \((?<sp>\d+)\) dport=0x[0-9a-f]+ \((?<dp>\d+)\) family=0x[0-9a-f]+ \((?<fam>\d+)\) protocol=0x[0-9a-f]+ \(\d+\) saddr=0x(?<sa>[0-9a-f]+) \(\d+\) daddr=0x(?<da>[0-9a-f]+) ")]
    private static partial Regex Fields();

    [GeneratedRegex(@"\s(?<s>\d+)\.(?<f>\d+): inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=(?<sp>\d+) dport=(?<dp>\d+) saddr=(?<sa>[\d.]+) daddr=(?<da>[\d.]+) .*oldstate=(?<old>\w+) newstate=(?<new>\w+)")]
    private static partial Regex Printed();
}
