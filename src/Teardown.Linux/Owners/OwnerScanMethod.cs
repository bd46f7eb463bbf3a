namespace Teardown.Linux.Owners;

/// <summary>How <see cref="OwnerScanner"/> finds the processes that hold sockets.</summary>
public enum OwnerScanMethod
{
    /// <summary>The BPF task_file iterator when this process may load it (root, BTF, the initial pid namespace), else /proc.</summary>
    Auto,

    /// <summary>The BPF iterator; /proc (with the reason) only where it cannot be loaded.</summary>
    Bpf,

    /// <summary>One readlinkat per descriptor under /proc/*/fd, as <c>ss -p</c> does; never loads BPF.</summary>
    Proc,
}
