using Teardown.Linux.Sockets;

namespace Teardown.Linux.Netlink;

/// <summary>
/// Receives records as a dump is parsed, so a caller can aggregate (count states, filter) without
/// storing every socket. Implement it on a struct and pass it by ref: the generic parser then
/// calls it without boxing or delegate dispatch.
/// </summary>
public interface ISocketRecordSink
{
    /// <summary>Called once per parsed socket, in kernel order.</summary>
    void Add(in SocketRecord record);
}

/// <summary>Adapts a <see cref="List{T}"/> as a sink.</summary>
/// <param name="list">The list to append to.</param>
public readonly struct ListSink(List<SocketRecord> list) : ISocketRecordSink
{
    /// <inheritdoc />
    public void Add(in SocketRecord record) => list.Add(record);
}
