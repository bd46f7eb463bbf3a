using System.Text.Json;
using System.Text.Json.Serialization;

namespace Teardown.Lab.Agent;

/// <summary>What a request asks of the agent. On the wire each is its lower-case name (<see cref="AgentOpConverter"/>).</summary>
public enum AgentOp
{
    /// <summary>A name the agent does not know (answered with <see cref="AgentFault.UnknownOp"/>).</summary>
    Unknown,

    /// <summary>Query: answered at once with the agent's clock (liveness).</summary>
    Ping,

    /// <summary>Query: whether a name is held, its TCP_INFO state, queues and endpoints; answered at once.</summary>
    Info,

    /// <summary>Call: socket, bind, listen (non-blocking listener).</summary>
    Listen,

    /// <summary>Call: socket, connect (blocks until the handshake ends).</summary>
    Connect,

    /// <summary>Call: accept4 on a listener (never blocks).</summary>
    Accept,

    /// <summary>Call: send with MSG_DONTWAIT.</summary>
    Send,

    /// <summary>Call: recv with MSG_DONTWAIT.</summary>
    Recv,

    /// <summary>Call: shutdown(how).</summary>
    Shutdown,

    /// <summary>Call: close (blocks while SO_LINGER lingers).</summary>
    Close,

    /// <summary>Call: getsockopt(SO_ERROR), the pending error.</summary>
    Error,

    /// <summary>Call: setsockopt of a <see cref="Teardown.Scenarios.Syntax.SocketOption"/>.</summary>
    SetSockOpt,
}

/// <summary>Writes an <see cref="AgentOp"/> as its lower-case name and reads any other name as <see cref="AgentOp.Unknown"/>, so that the agent can answer it with a fault.</summary>
public sealed class AgentOpConverter : JsonConverter<AgentOp>
{
    /// <inheritdoc />
    public override AgentOp Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() switch
        {
            "ping" => AgentOp.Ping,
            "info" => AgentOp.Info,
            "listen" => AgentOp.Listen,
            "connect" => AgentOp.Connect,
            "accept" => AgentOp.Accept,
            "send" => AgentOp.Send,
            "recv" => AgentOp.Recv,
            "shutdown" => AgentOp.Shutdown,
            "close" => AgentOp.Close,
            "error" => AgentOp.Error,
            "setsockopt" => AgentOp.SetSockOpt,
            _ => AgentOp.Unknown,
        };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, AgentOp value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Name(value));
    }

    /// <summary>The wire name of <paramref name="op"/>.</summary>
    private static string Name(AgentOp op) => op switch
    {
        AgentOp.Ping => "ping",
        AgentOp.Info => "info",
        AgentOp.Listen => "listen",
        AgentOp.Connect => "connect",
        AgentOp.Accept => "accept",
        AgentOp.Send => "send",
        AgentOp.Recv => "recv",
        AgentOp.Shutdown => "shutdown",
        AgentOp.Close => "close",
        AgentOp.Error => "error",
        AgentOp.SetSockOpt => "setsockopt",
        _ => "unknown",
    };
}
