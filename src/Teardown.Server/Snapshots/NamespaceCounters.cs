using Teardown.Linux.Settings;

namespace Teardown.Server.Snapshots;

/// <summary>Kernel counters and sysctls of one network namespace, as read with its snapshot.</summary>
/// <param name="NetNsInode">The namespace's inode (its identity in the <c>netns</c> label).</param>
/// <param name="Counters">MIB and sockstat counters.</param>
/// <param name="Settings">Sysctls.</param>
public sealed record NamespaceCounters(ulong NetNsInode, NetCounters Counters, NetSettings Settings);
