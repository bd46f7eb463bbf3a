namespace Teardown.Lab.Wire;

/// <summary>Where the wire hands packets to a host (a TUN device, or a fake in tests).</summary>
public interface IWirePort
{
    /// <summary>Injects one IP packet into the host's stack.</summary>
    void Deliver(ReadOnlySpan<byte> packet);

    /// <summary>
    /// Right after a delivery, takes onto the wire what the host's stack sent in answer while receiving it (a SYN-ACK
    /// to a SYN, an ACK to a FIN), on the delivering thread — without waiting for the host's own reader to wake up.
    /// Does nothing by default.
    /// </summary>
    void TakeReplies()
    {
    }
}
