using System.Runtime.ExceptionServices;
using Teardown.Linux.Interop;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Namespaces;

/// <summary>
/// Entering and creating network namespaces.
/// </summary>
/// <remarks>
/// <para><c>setns(2)</c> and <c>unshare(CLONE_NEWNET)</c> change the namespace of the <b>calling
/// thread only</b> (kernel/nsproxy.c:switch_task_namespaces acts on <c>current</c>). Every other
/// thread of the process, including the .NET thread pool, stays where it was. Hence the rule here:
/// namespaces are only ever entered on a dedicated thread created for that purpose, which then
/// exits (or, for a long-lived one, serves only that namespace: <see cref="NetNsThread"/>); never on a pool thread, whose next work item would silently run in the wrong namespace.</para>
/// <para>Sockets (including netlink sockets) belong to the namespace of the thread that created
/// them and keep it for life, so "create inside, use from anywhere" is safe.</para>
/// <para>Inside such a thread, per-namespace procfs files must be read through
/// <c>/proc/thread-self/net/...</c>: <c>/proc/net</c> points at <c>/proc/self/net</c>, which shows
/// the namespace of the thread-group leader (fs/proc/proc_net.c:get_proc_task_net).
/// <c>/proc/sys/net</c> follows the reading thread (net/sysctl_net.c:net_ctl_header_lookup).</para>
/// </remarks>
public static class NetNs
{
    /// <summary>
    /// Moves the <b>calling thread</b> into <paramref name="ns"/>. Only call this on a thread you
    /// created and will discard; prefer <see cref="Run{T}"/>.
    /// </summary>
    public static LinuxError? Enter(NetNsHandle ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return Libc.setns(ns, CLONE_NEWNET) == 0 ? null : LinuxError.Last("setns(CLONE_NEWNET)");
    }

    /// <summary>
    /// Runs <paramref name="function"/> on a new dedicated thread inside <paramref name="ns"/> and
    /// returns its result. Exceptions thrown by the function are rethrown here; failing to enter the
    /// namespace is returned as an error value.
    /// </summary>
    public static LinuxResult<T> Run<T>(NetNsHandle ns, Func<T> function)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(function);
        return OnDedicatedThread(() =>
        {
            var error = Enter(ns);
            return error is null ? LinuxResult<T>.Ok(function()) : error.Value;
        });
    }

    /// <summary>Opens the calling thread's network namespace (<c>/proc/thread-self/ns/net</c>).</summary>
    public static LinuxResult<NetNsHandle> OpenCurrent() => NetNsHandle.Open("/proc/thread-self/ns/net");

    /// <summary>
    /// Creates a new, empty network namespace (on a throw-away thread via unshare(CLONE_NEWNET)) and
    /// returns a handle that keeps it alive; dispose the handle to delete it. Nothing but the
    /// loopback device exists inside; it is brought up when <paramref name="loopbackUp"/> is set.
    /// </summary>
    public static LinuxResult<NetNsHandle> CreatePrivate(bool loopbackUp = true) => OnDedicatedThread(() =>
    {
        if (Libc.unshare(CLONE_NEWNET) != 0)
        {
            return LinuxError.Last("unshare(CLONE_NEWNET)");
        }

        var handle = OpenCurrent();
        if (!handle.IsOk || !loopbackUp)
        {
            return handle;
        }

        var up = Loopback.BringUp();
        if (up is not null)
        {
            handle.Value.Dispose();
            return up.Value;
        }

        return handle;
    });

    internal static T OnDedicatedThread<T>(Func<T> function)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = function();
            }
#pragma warning disable CA1031 // Rethrown on the calling thread below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "teardown-netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
