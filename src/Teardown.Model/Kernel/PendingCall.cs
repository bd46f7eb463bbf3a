namespace Teardown.Model.Kernel;

/// <summary>
/// A blocking call in progress on a host: connect() until established or failed, or close() lingering
/// (SO_LINGER N) until the FIN is acknowledged or N seconds pass (stream.c:sk_stream_wait_close).
/// </summary>
public sealed class PendingCall
{
    internal PendingCall(BlockingCall kind, SimTime started)
    {
        Kind = kind;
        Started = started;
    }

    /// <summary>Which call is blocked.</summary>
    public BlockingCall Kind { get; }

    /// <summary>The call's name as a scenario writes it ("connect", "close").</summary>
    public string What => Kind switch
    {
        BlockingCall.Connect => "connect",
        BlockingCall.Close => "close",
        _ => Kind.ToString(),
    };

    public SimTime Started { get; }

    public bool Completed { get; private set; }

    public SimTime CompletedAt { get; private set; }

    public SyscallResult Result { get; private set; }

    internal TcpSocket? Socket { get; set; }

    internal SimTime Deadline { get; set; } = SimTime.Never;

    internal void Complete(SyscallResult result, SimTime at)
    {
        if (Completed) return;
        Completed = true;
        Result = result;
        CompletedAt = at;
    }
}

/// <summary>The calls that can block in the model.</summary>
public enum BlockingCall
{
    /// <summary>connect() on a blocking socket, until established or failed (net/ipv4/af_inet.c:__inet_stream_connect).</summary>
    Connect,
    /// <summary>close() with SO_LINGER on, until the FIN is acknowledged or the linger time passes (net/core/stream.c:sk_stream_wait_close).</summary>
    Close,
}

/// <summary>What a system call returned: a value, or -1 and an errno.</summary>
public readonly record struct SyscallResult(long Value, Errno Errno)
{
    public static SyscallResult Ok(long value = 0) => new(value, Errno.None);

    public static SyscallResult Fail(Errno errno) => new(-1, errno);

    public bool Failed => Errno != Errno.None;

    public override string ToString() => Errno == Errno.None ? Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"-1 {Errno}";
}
