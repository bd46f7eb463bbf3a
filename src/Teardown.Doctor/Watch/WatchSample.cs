using Teardown.Doctor.Classification;
using Teardown.Doctor.Report;

namespace Teardown.Doctor.Watch;

/// <summary>Descriptor use of one process at one moment.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Comm">Task name.</param>
/// <param name="Fds">Open descriptors.</param>
/// <param name="Limit">Soft RLIMIT_NOFILE, if known.</param>
public readonly record struct ProcessFds(int Pid, string? Comm, int Fds, long? Limit);

/// <summary>What watch keeps of one snapshot: counts only, so history stays small.</summary>
/// <param name="At">When.</param>
/// <param name="Classes">Non-listening sockets per class.</param>
/// <param name="Processes">Descriptor use of socket-holding processes.</param>
/// <param name="Ports">Ephemeral port use per destination.</param>
/// <param name="ReapLifetime">Longest time the kernel keeps a socket it reaps by itself (TIME_WAIT's 60 s or tcp_fin_timeout, whichever is longer).</param>
public sealed record WatchSample(DateTimeOffset At, IReadOnlyDictionary<SocketClass, int> Classes, IReadOnlyList<ProcessFds> Processes, IReadOnlyList<PortUsage> Ports,
    TimeSpan ReapLifetime = default);
