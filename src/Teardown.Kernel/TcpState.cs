namespace Teardown.Kernel;

/// <summary>
/// TCP states numbered exactly as Linux numbers them (include/net/tcp_states.h), so that the
/// model, sock_diag (<c>idiag_state</c>) and /proc/net/tcp (<c>st</c>) share one enum with no lossy mapping.
/// </summary>
public enum TcpState : byte
{
    /// <summary>Not a state; the default value (a record that carried none).</summary>
    Unknown = 0,
    Established = 1,
    SynSent = 2,
    SynRecv = 3,
    FinWait1 = 4,
    FinWait2 = 5,
    TimeWait = 6,
    Close = 7,
    CloseWait = 8,
    LastAck = 9,
    Listen = 10,
    Closing = 11,
    NewSynRecv = 12,

    /// <summary>
    /// TCP_BOUND_INACTIVE: exists as a sock_diag dump-request bit (Linux 6.8+); such sockets come back with
    /// state <see cref="Close"/> (measured on 6.18). Never a state of the model.
    /// </summary>
    BoundInactive = 13,
}

/// <summary>Names and predicates for <see cref="TcpState"/>.</summary>
public static class TcpStateNames
{
    /// <summary>The name used by Linux's own headers and by the scenario language: <c>FIN_WAIT2</c>.</summary>
    public static string ToLinuxName(this TcpState state) => state switch
    {
        TcpState.Established => "ESTABLISHED",
        TcpState.SynSent => "SYN_SENT",
        TcpState.SynRecv => "SYN_RECV",
        TcpState.FinWait1 => "FIN_WAIT1",
        TcpState.FinWait2 => "FIN_WAIT2",
        TcpState.TimeWait => "TIME_WAIT",
        TcpState.Close => "CLOSE",
        TcpState.CloseWait => "CLOSE_WAIT",
        TcpState.LastAck => "LAST_ACK",
        TcpState.Listen => "LISTEN",
        TcpState.Closing => "CLOSING",
        TcpState.NewSynRecv => "NEW_SYN_RECV",
        TcpState.BoundInactive => "BOUND_INACTIVE",
        _ => "UNKNOWN(" + ((byte)state).ToString(System.Globalization.CultureInfo.InvariantCulture) + ")",
    };

    /// <summary>
    /// The name <c>ss</c> prints (<c>FIN-WAIT-2</c>, <c>ESTAB</c>, <c>UNCONN</c> for CLOSE): the one name every
    /// human-readable table of ours shows, so that a user can match it against <c>ss</c> output.
    /// </summary>
    public static string ToSsName(this TcpState state) => state switch
    {
        TcpState.Established => "ESTAB",
        TcpState.SynSent => "SYN-SENT",
        TcpState.SynRecv => "SYN-RECV",
        TcpState.FinWait1 => "FIN-WAIT-1",
        TcpState.FinWait2 => "FIN-WAIT-2",
        TcpState.TimeWait => "TIME-WAIT",
        TcpState.Close => "UNCONN",
        TcpState.CloseWait => "CLOSE-WAIT",
        TcpState.LastAck => "LAST-ACK",
        TcpState.Listen => "LISTEN",
        TcpState.Closing => "CLOSING",
        TcpState.NewSynRecv => "NEW-SYN-RECV",
        TcpState.BoundInactive => "UNCONN",
        _ => "UNKNOWN",
    };

    /// <summary>Parses a Linux state name case-insensitively (<c>fin_wait2</c>, <c>FIN-WAIT-2</c>).</summary>
    public static bool TryParse(string text, out TcpState state)
    {
        string n = text.Replace('-', '_').ToUpperInvariant();
        foreach (TcpState s in Enum.GetValues<TcpState>())
        {
            if (s != TcpState.Unknown && s.ToLinuxName() == n)
            {
                state = s;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>True in the states where our FIN is queued or sent (we called close or shutdown(WR)).</summary>
    public static bool HasSentFin(this TcpState state) =>
        state is TcpState.FinWait1 or TcpState.FinWait2 or TcpState.Closing or TcpState.LastAck or TcpState.TimeWait;

    /// <summary>True once the peer's FIN has been received and processed (SOCK_DONE territory).</summary>
    public static bool HasReceivedFin(this TcpState state) =>
        state is TcpState.CloseWait or TcpState.LastAck or TcpState.Closing or TcpState.TimeWait;
}
