namespace Teardown.Linux.Namespaces;

/// <summary>One network namespace found on the host.</summary>
/// <param name="Inode">nsfs inode: the namespace's identity (<c>net:[N]</c>).</param>
/// <param name="RepresentativePid">Lowest pid whose thread-group leader is in it, or null if only a /run/netns name holds it.</param>
/// <param name="CgroupPath">cgroup path of the representative process (names the container), or null.</param>
/// <param name="ProcessCount">Processes (thread-group leaders) inside.</param>
/// <param name="Names">Names under /run/netns (iproute2 <c>ip netns</c>) that refer to it.</param>
public sealed record NetNamespaceInfo(ulong Inode, int? RepresentativePid, string? CgroupPath, int ProcessCount, IReadOnlyList<string> Names)
{
    /// <summary>A path that opens this namespace: /proc/PID/ns/net or /run/netns/NAME.</summary>
    public string? OpenPath => RepresentativePid is int pid
        ? $"/proc/{pid}/ns/net"
        : Names.Count > 0 ? Path.Combine(NetNsEnumerator.RunNetNsDirectory, Names[0]) : null;
}

/// <summary>Result of enumerating namespaces.</summary>
/// <param name="Namespaces">Distinct namespaces, host namespace of this process first.</param>
/// <param name="ProcessesUnreadable">Processes whose ns/net link could not be read (permission).</param>
/// <param name="ProcessesVanished">Processes that exited during the scan.</param>
/// <param name="UnreadablePids">The first few processes whose namespace link was refused (EACCES/EPERM), to name them.</param>
public sealed record NetNsScan(IReadOnlyList<NetNamespaceInfo> Namespaces, int ProcessesUnreadable, int ProcessesVanished, IReadOnlyList<int>? UnreadablePids = null);
