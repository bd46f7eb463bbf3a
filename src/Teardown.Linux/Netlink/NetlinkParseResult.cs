using Teardown.Linux.Interop;

namespace Teardown.Linux.Netlink;

/// <summary>What a buffer of netlink messages said about the conversation.</summary>
public enum NetlinkParseStatus
{
    /// <summary>All messages were consumed and no terminator was seen: read more.</summary>
    Continue,
    /// <summary>NLMSG_DONE, an ACK (NLMSG_ERROR with error 0), or a single non-multipart reply.</summary>
    Done,
    /// <summary>The kernel reported an errno (NLMSG_ERROR, negative NLMSG_DONE payload or NLMSG_OVERRUN).</summary>
    KernelError,
    /// <summary>The bytes are not well-formed netlink (truncated header, bad length, short attribute).</summary>
    Malformed,
}

/// <summary>Result of parsing one buffer of netlink messages.</summary>
/// <param name="Status">What the buffer ended with.</param>
/// <param name="Error">Kernel errno for <see cref="NetlinkParseStatus.KernelError"/>.</param>
/// <param name="Records">Socket records appended to the sink.</param>
/// <param name="Consumed">Bytes consumed; for <see cref="NetlinkParseStatus.Malformed"/>, the offset of the bad message.</param>
/// <param name="SkippedMessages">Messages ignored: other sequence numbers, NOOP, unknown types.</param>
/// <param name="Interrupted">A message carried NLM_F_DUMP_INTR: the dump saw the tables change and may be inconsistent.</param>
public readonly record struct NetlinkParseResult(
    NetlinkParseStatus Status,
    Errno Error,
    int Records,
    int Consumed,
    int SkippedMessages,
    bool Interrupted);
