using System.Text.Json.Serialization;
using Teardown.Scenarios.Syntax;

namespace Teardown.Lab.Agent;

/// <summary>
/// One request from the runner to an agent (one JSON object per line on the agent's stdin).
/// <see cref="Op"/> is a call (executed in order on the agent's call thread) or a query
/// (<see cref="AgentOp.Info"/>, <see cref="AgentOp.Ping"/>: answered at once even while a call blocks).
/// </summary>
public sealed class AgentRequest
{
    [JsonPropertyName("id")] public long Id { get; set; }

    [JsonPropertyName("op")] public AgentOp Op { get; set; }

    /// <summary>The scenario's socket name the call acts on (or creates).</summary>
    [JsonPropertyName("sock")] public string? Socket { get; set; }

    /// <summary>For <c>accept</c>: the listener's name.</summary>
    [JsonPropertyName("listener")] public string? Listener { get; set; }

    /// <summary>For <c>connect</c>: the peer address; for <c>listen</c>: the bind address (default any).</summary>
    [JsonPropertyName("addr")] public string? Address { get; set; }

    [JsonPropertyName("port")] public int Port { get; set; }

    /// <summary>listen backlog, send/recv byte count, shutdown how (0 RD, 1 WR, 2 RDWR), setsockopt value.</summary>
    [JsonPropertyName("n")] public long N { get; set; }

    /// <summary>For setsockopt: the option (by its <see cref="SocketOption"/> name on the wire).</summary>
    [JsonPropertyName("opt")] public SocketOption? Option { get; set; }

    /// <summary>For setsockopt SO_LINGER / SO_KEEPALIVE.</summary>
    [JsonPropertyName("on")] public bool On { get; set; }

    /// <summary>
    /// CLOCK_MONOTONIC ns before which the call must not start (0: at once). The runner sends a timed line a few
    /// milliseconds ahead and the agent's call thread waits for the instant itself, so that the wake-ups of the
    /// runner, the pipe and the agent's reader are off the line's path.
    /// </summary>
    [JsonPropertyName("due")] public long DueNs { get; set; }

    /// <summary>The run's <see cref="InstantBoard"/> (its file), when the call has a slot on it or waits on one.</summary>
    [JsonPropertyName("board")] public string? Board { get; set; }

    /// <summary>The call's slot on <see cref="Board"/>, where the agent marks the call's end before replying (0: none; slot 0 is never a line's).</summary>
    [JsonPropertyName("slot")] public int Slot { get; set; }

    /// <summary>
    /// Slots of the lines of the call's instant that come before it in the file (on other hosts, or the runner's): the
    /// call starts only once all are marked on <see cref="Board"/>, or at <see cref="GateNs"/> at the latest.
    /// </summary>
    [JsonPropertyName("after")] public int[]? After { get; set; }

    /// <summary>CLOCK_MONOTONIC ns after which the call no longer waits for <see cref="After"/> (a blocked call must not hold its instant).</summary>
    [JsonPropertyName("gate")] public long GateNs { get; set; }
}

/// <summary>
/// The agent's answer to one request (one JSON line on its stdout). Times are CLOCK_MONOTONIC ns, the
/// clock every process shares, so the runner can place them on the scenario's timeline.
/// </summary>
public sealed class AgentResponse
{
    [JsonPropertyName("id")] public long Id { get; set; }

    /// <summary>The call's return value as the scenario writes it (0 for descriptor-creating calls, byte counts, or -1).</summary>
    [JsonPropertyName("value")] public long Value { get; set; }

    /// <summary>errno when the call failed (and for <c>error</c>: the pending error), else 0.</summary>
    [JsonPropertyName("errno")] public Errno Errno { get; set; }

    [JsonPropertyName("start")] public long StartNs { get; set; }

    [JsonPropertyName("end")] public long EndNs { get; set; }

    /// <summary>
    /// For a call: the instant it could start, as far as the agent knows — its due time, the end of the agent's
    /// previous call, the marks it waited for — so that the runner measures the lab's lateness against it.
    /// </summary>
    [JsonPropertyName("ready")] public long ReadyNs { get; set; }

    /// <summary>Local endpoint <c>a.b.c.d:port</c> of the socket, when known.</summary>
    [JsonPropertyName("local")] public string? Local { get; set; }

    /// <summary>Remote endpoint, when connected.</summary>
    [JsonPropertyName("remote")] public string? Remote { get; set; }

    /// <summary>For <c>info</c>: whether the agent holds a descriptor for the name.</summary>
    [JsonPropertyName("held")] public bool Held { get; set; }

    /// <summary>For <c>info</c>: the descriptor number holding the name, when held (what another process duplicates with pidfd_getfd).</summary>
    [JsonPropertyName("fd")] public int Fd { get; set; }

    /// <summary>For <c>info</c>: tcpi_state from TCP_INFO (a number on the wire), 0 when not held.</summary>
    [JsonPropertyName("state")] public TcpState State { get; set; }

    /// <summary>For <c>info</c>: tcpi_unacked (segments), a hint for Send-Q when sock_diag has nothing.</summary>
    [JsonPropertyName("unacked")] public long Unacked { get; set; }

    /// <summary>For <c>info</c>: ioctl(SIOCINQ) bytes, or a listener's accept queue.</summary>
    [JsonPropertyName("inq")] public long InQ { get; set; }

    /// <summary>For <c>info</c>: ioctl(SIOCOUTQ) bytes, or a listener's backlog.</summary>
    [JsonPropertyName("outq")] public long OutQ { get; set; }

    /// <summary>A protocol-level failure (unknown op or socket name, bad argument), distinct from a call's errno.</summary>
    [JsonPropertyName("fault")] public AgentFault Fault { get; set; }

    /// <summary>The fault said for humans (e.g. <c>unknown socket C</c>); null without a fault.</summary>
    [JsonPropertyName("why")] public string? FaultMessage { get; set; }

    /// <summary>Marks the response as failed by <paramref name="fault"/>.</summary>
    public void Fail(AgentFault fault, string message)
    {
        Fault = fault;
        FaultMessage = message;
    }
}

/// <summary>
/// Source-generated JSON for the agent protocol (fast start-up, no reflection). Enums travel as
/// follows: <see cref="AgentOp"/> by its lower-case wire name, <see cref="AgentFault"/> and
/// <see cref="SocketOption"/> by name, <see cref="Errno"/> and <see cref="TcpState"/> as Linux's numbers.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    Converters = [typeof(AgentOpConverter), typeof(JsonStringEnumConverter<AgentFault>), typeof(JsonStringEnumConverter<SocketOption>)])]
[JsonSerializable(typeof(AgentRequest))]
[JsonSerializable(typeof(AgentResponse))]
internal sealed partial class AgentJson : JsonSerializerContext;
