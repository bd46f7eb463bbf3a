using Teardown.Doctor.Classification;

namespace Teardown.Doctor.Forecast;

/// <summary>
/// What sock_diag showed of one socket end, reduced to what the model is seeded from: its class and side,
/// the timer the kernel had armed and the time left on it (idiag_timer, idiag_expires), how many
/// retransmissions it had made (idiag_retrans), its RTO (tcpi_rto) and how long it had been quiet.
/// </summary>
/// <param name="Class">The doctor's class of the socket.</param>
/// <param name="Side">Which end of the connection it is (decides which model host connects).</param>
/// <param name="Timer">The timer armed (ss's name: on, keepalive, timewait, persist), none when null.</param>
/// <param name="TimerLeft">Time left on that timer, when one is armed.</param>
/// <param name="Retransmits">idiag_retrans: retransmissions of the current timeout sequence.</param>
/// <param name="Rto">tcpi_rto including backoff, when tcp_info was read.</param>
/// <param name="Quiet">How long ago the last segment arrived (≈ age for CLOSE_WAIT), when known.</param>
public sealed record ObservedEnd(
    SocketClass Class,
    Side Side,
    TimerKind Timer = TimerKind.None,
    TimeSpan? TimerLeft = null,
    int Retransmits = 0,
    TimeSpan? Rto = null,
    TimeSpan? Quiet = null);
