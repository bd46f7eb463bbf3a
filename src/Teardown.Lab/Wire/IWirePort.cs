namespace Teardown.Lab.Wire;

/// <summary>Where the wire hands packets to a host (a TUN device, or a fake in tests).</summary>
public interface IWirePort
{
    /// <summary>Injects one IP packet into the host's stack.</summary>
    void Deliver(ReadOnlySpan<byte> packet);
}
