namespace Teardown.Model.Network;

/// <summary>One direction of the path between two hosts: its one-way delay and whether it drops everything.</summary>
internal sealed class Direction
{
    public SimDuration Delay;
    public bool Dropping;
}
