using System.Collections.Concurrent;
using Teardown.Linux.Interop;

namespace Teardown.Linux.Namespaces;

/// <summary>
/// A long-lived dedicated thread inside one network namespace, for callers that create
/// namespace-bound objects over time (a TUN device, packet and netlink sockets, reads of
/// <c>/proc/thread-self/net</c>, writes to <c>/proc/sys/net</c>) without moving any other thread.
/// The one-shot form is <see cref="NetNs.Run{T}"/>; the rule is the same: only this thread, created
/// for the purpose, ever enters the namespace (see <see cref="NetNs"/>).
/// </summary>
public sealed class NetNsThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;
    private readonly TaskCompletionSource<LinuxError?> _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly bool _realTime;

    private NetNsThread(string namespacePath, bool realTime)
    {
        NamespacePath = namespacePath;
        _realTime = realTime;
        _thread = new Thread(Run) { IsBackground = true, Name = "netns " + Path.GetFileName(namespacePath) };
    }

    /// <summary>The namespace file the thread entered, e.g. <c>/run/netns/blue</c>.</summary>
    public string NamespacePath { get; }

    /// <summary>Starts a thread and moves it into the namespace at <paramref name="namespacePath"/>; returns once it is inside.</summary>
    /// <param name="namespacePath">The namespace file.</param>
    /// <param name="realTime">Run the thread SCHED_FIFO (see <see cref="SchedulingBoost.RealTime"/>), for callers on a real-time schedule.</param>
    public static LinuxResult<NetNsThread> Start(string namespacePath, bool realTime = false)
    {
        ArgumentNullException.ThrowIfNull(namespacePath);
        var t = new NetNsThread(namespacePath, realTime);
        t._thread.Start();
        LinuxError? error = t._entered.Task.GetAwaiter().GetResult();
        if (error is null)
        {
            return t;
        }

        t._thread.Join();
        t._work.Dispose();
        return error.Value;
    }

    /// <summary>Runs <paramref name="work"/> on the thread inside the namespace and returns its result (or rethrows its exception).</summary>
    public T Invoke<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Environment.CurrentManagedThreadId == _thread.ManagedThreadId)
        {
            return work();
        }

        // Completed inline: the caller blocked below wakes at once, not through a thread-pool continuation
        // (milliseconds on a loaded machine, for a caller that may be keeping a real-time schedule).
        var done = new TaskCompletionSource<T>(TaskCreationOptions.None);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
#pragma warning disable CA1031 // Rethrown on the calling thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                done.SetException(e);
            }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    private void Run()
    {
        if (_realTime) SchedulingBoost.RealTime(SchedulingBoost.CallPriority);
        LinuxResult<NetNsHandle> ns = NetNsHandle.Open(NamespacePath);
        if (!ns.IsOk)
        {
            _entered.SetResult(ns.Error);
            return;
        }

        // The descriptor is only needed for setns: the thread keeps the namespace alive once inside.
        LinuxError? error;
        using (NetNsHandle handle = ns.Value)
        {
            error = NetNs.Enter(handle);
        }

        _entered.SetResult(error);
        if (error is not null)
        {
            return;
        }

        foreach (Action a in _work.GetConsumingEnumerable())
        {
            a();
        }
    }

    /// <summary>Lets the thread finish the queued work and exit (waits up to 5 s).</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _work.Dispose();
    }
}
