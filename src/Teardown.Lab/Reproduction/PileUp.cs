using Teardown.Linux.Inventory;
using Teardown.Linux.Namespaces;

namespace Teardown.Lab.Reproduction;

/// <summary>
/// A realistic accumulation of stuck connections (<see cref="AccumulationPlan"/>) in a private
/// network namespace, held until disposed. Nothing on the host changes: the sockets and the
/// port-range sysctl live in the private namespace, which disappears with its last reference.
/// </summary>
public sealed class PileUp : IDisposable
{
    private readonly NetNsHandle _namespace;
    private readonly AccumulationBuilder _builder = new();

    private PileUp(NetNsHandle ns) => _namespace = ns;

    /// <summary>Descriptors held by the reproduction.</summary>
    public int Held => _builder.Held;

    /// <summary>Why the unreachable-peer part (orphaned FIN_WAIT1/LAST_ACK) was skipped, if it was.</summary>
    public string? SkippedUnreachable => _builder.SkippedUnreachable;

    /// <summary>Creates the private namespace (needs CAP_SYS_ADMIN).</summary>
    /// <exception cref="LabUnavailableException">Not root, or the namespace cannot be created.</exception>
    public static PileUp CreateNamespace()
    {
        if (!Privileges.IsRoot)
        {
            throw new LabUnavailableException("a private network namespace needs root (unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN)");
        }

        var created = NetNs.CreatePrivate();
        if (!created.IsOk)
        {
            throw new LabUnavailableException($"cannot create a network namespace: {created.Error}");
        }

        return new PileUp(created.Value);
    }

    /// <summary>Opens the plan's connections inside the namespace.</summary>
    /// <exception cref="LabUnavailableException">The namespace cannot be entered.</exception>
    public void Build(AccumulationPlan plan, Action<string>? progress = null)
    {
        var built = NetNs.Run(_namespace, () =>
        {
            _builder.Build(plan, progress);
            return _builder.Held;
        });
        if (!built.IsOk)
        {
            throw new LabUnavailableException($"cannot enter the namespace: {built.Error}");
        }
    }

    /// <summary>A snapshot of the namespace, as the doctor reads a host.</summary>
    public HostSnapshot Snapshot() => InventoryReader.Take(new InventoryOptions { Namespace = _namespace });

    /// <summary>Closes every socket and drops the namespace.</summary>
    public void Dispose()
    {
        _builder.Dispose();
        _namespace.Dispose();
    }
}
