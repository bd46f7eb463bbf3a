using System.Collections.Concurrent;
using Teardown.Lab.Interop;

namespace Teardown.Lab.Namespaces;

/// <summary>
/// A dedicated thread that has entered one network namespace (setns(CLONE_NEWNET) affects only the
/// calling thread), on which the lab opens namespace-bound objects — the TUN device, the sock_diag
/// socket, /proc/thread-self/net files and /proc/sys/net sysctls — without moving the lab process.
/// </summary>
internal sealed class NamespaceThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NamespaceThread(string namespacePath)
    {
        NamespacePath = namespacePath;
        _thread = new Thread(Run) { IsBackground = true, Name = "netns " + Path.GetFileName(namespacePath) };
        _thread.Start();
        _entered.Task.GetAwaiter().GetResult();
    }

    public string NamespacePath { get; }

    /// <summary>Runs <paramref name="work"/> inside the namespace and returns its result.</summary>
    public T Invoke<T>(Func<T> work)
    {
        if (Environment.CurrentManagedThreadId == _thread.ManagedThreadId) return work();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    private void Run()
    {
        int fd = Libc.Open(NamespacePath, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0 || Libc.SetNs(fd, Libc.CLONE_NEWNET) != 0)
        {
            int errno = Libc.Errno;
            if (fd >= 0) Libc.Close(fd);
            _entered.SetException(new IOException($"setns({NamespacePath}): errno {errno}"));
            return;
        }

        Libc.Close(fd);
        _entered.SetResult();
        foreach (Action a in _work.GetConsumingEnumerable()) a();
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _work.Dispose();
    }
}
