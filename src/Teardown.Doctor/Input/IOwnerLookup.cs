using Teardown.Linux.Owners;

namespace Teardown.Doctor.Input;

/// <summary>Socket inode → first owning (pid, fd). The doctor needs only this much of an owner index.</summary>
public interface IOwnerLookup
{
    /// <summary>The first descriptor found for <paramref name="inode"/>, if any process holds one.</summary>
    bool TryGetOwner(ulong inode, out SocketOwner owner);
}

/// <summary>Adapts the Linux layer's <see cref="OwnerIndex"/>.</summary>
public sealed class OwnerIndexLookup(OwnerIndex index) : IOwnerLookup
{
    /// <inheritdoc />
    public bool TryGetOwner(ulong inode, out SocketOwner owner) => index.TryGetFirstOwner(inode, out owner);
}

/// <summary>An owner table given explicitly (fixtures, tests).</summary>
public sealed class DictionaryOwnerLookup(IReadOnlyDictionary<ulong, SocketOwner> owners) : IOwnerLookup
{
    /// <summary>No owners at all.</summary>
    public static DictionaryOwnerLookup Empty { get; } = new(new Dictionary<ulong, SocketOwner>());

    /// <inheritdoc />
    public bool TryGetOwner(ulong inode, out SocketOwner owner) => owners.TryGetValue(inode, out owner);
}
