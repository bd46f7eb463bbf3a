namespace Teardown.Linux.Owners;

/// <summary>One descriptor referring to a socket.</summary>
/// <param name="Pid">Process id (thread-group id).</param>
/// <param name="Fd">Descriptor number in that process.</param>
public readonly record struct SocketOwner(int Pid, int Fd);

/// <summary>
/// Socket inode → owning (pid, fd) pairs. A socket can have several owners (fork, SCM_RIGHTS, dup),
/// so owners are kept as chains in flat arrays: one dictionary entry per socket and no per-socket
/// list object. Immutable once built.
/// </summary>
public sealed class OwnerIndex
{
    private readonly Dictionary<ulong, int> _head;
    private readonly SocketOwner[] _owners;
    private readonly int[] _next;

    internal OwnerIndex(Dictionary<ulong, int> head, SocketOwner[] owners, int[] next)
    {
        _head = head;
        _owners = owners;
        _next = next;
    }

    /// <summary>An index with no sockets.</summary>
    public static OwnerIndex Empty { get; } = new([], [], []);

    /// <summary>An index of known owners (captures, fixtures): each (inode, owner) pair as if found by a scan.</summary>
    public static OwnerIndex From(IEnumerable<KeyValuePair<ulong, SocketOwner>> owners)
    {
        ArgumentNullException.ThrowIfNull(owners);
        var builder = new Builder();
        foreach (var (inode, owner) in owners)
        {
            builder.Add(inode, owner.Pid, owner.Fd);
        }

        return builder.Build();
    }

    /// <summary>Distinct socket inodes with at least one owner.</summary>
    public int SocketCount => _head.Count;

    /// <summary>Total (pid, fd) pairs.</summary>
    public int OwnerCount => _owners.Length;

    /// <summary>Every socket inode with an owner.</summary>
    public IEnumerable<ulong> Inodes => _head.Keys;

    /// <summary>True if any descriptor refers to the inode.</summary>
    public bool HasOwner(ulong inode) => _head.ContainsKey(inode);

    /// <summary>The owners of a socket inode (empty if none).</summary>
    public IEnumerable<SocketOwner> OwnersOf(ulong inode)
    {
        if (!_head.TryGetValue(inode, out int index))
        {
            yield break;
        }

        for (; index >= 0; index = _next[index])
        {
            yield return _owners[index];
        }
    }

    /// <summary>The first owner found, without allocating.</summary>
    public bool TryGetFirstOwner(ulong inode, out SocketOwner owner)
    {
        if (_head.TryGetValue(inode, out int index))
        {
            owner = _owners[index];
            return true;
        }

        owner = default;
        return false;
    }

    /// <summary>Accumulates owners during a scan.</summary>
    internal sealed class Builder
    {
        private readonly Dictionary<ulong, int> _head;
        private readonly List<SocketOwner> _owners;
        private readonly List<int> _next;

        /// <param name="capacity">Socket descriptors expected (e.g. the last scan's), so the tables do not grow and rehash on the way.</param>
        internal Builder(int capacity = 4096)
        {
            capacity = Math.Max(capacity, 16);
            _head = new(capacity);
            _owners = new(capacity);
            _next = new(capacity);
        }

        /// <summary>Socket descriptors added so far.</summary>
        internal int Count => _owners.Count;

        internal void Add(ulong inode, int pid, int fd)
        {
            int index = _owners.Count;
            _owners.Add(new SocketOwner(pid, fd));
            // One probe of the table per descriptor (a server rebuilds this for ~10^5 of them every interval).
            ref int head = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_head, inode, out bool seen);
            _next.Add(seen ? head : -1);
            head = index;
        }

        internal OwnerIndex Build() => new(_head, [.. _owners], [.. _next]);
    }
}
