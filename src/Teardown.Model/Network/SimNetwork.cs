using Teardown.Model.Kernel;

namespace Teardown.Model.Network;

/// <summary>
/// The wire between hosts: per-direction one-way delay and drops, crashed hosts. Loss happens in the network:
/// a dropped segment has left its sender normally (scenario-format.md, Network events).
/// </summary>
public sealed class SimNetwork
{
    private readonly Dictionary<ulong, Direction> _directions = [];

    internal Direction Get(uint from, uint to)
    {
        ulong key = ((ulong)from << 32) | to;
        if (!_directions.TryGetValue(key, out var d))
        {
            d = new Direction();
            _directions[key] = d;
        }

        return d;
    }

    /// <summary>Sets the one-way delay in both directions between two addresses.</summary>
    public void SetDelay(uint a, uint b, SimDuration delay)
    {
        Get(a, b).Delay = delay;
        Get(b, a).Delay = delay;
    }

    /// <summary>Starts or stops dropping every segment from one address to another.</summary>
    public void SetDropping(uint from, uint to, bool dropping) => Get(from, to).Dropping = dropping;


}
