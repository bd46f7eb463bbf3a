using System.Runtime.InteropServices;

namespace Teardown.Cli.Tests;

/// <summary>kill(2), to deliver SIGINT (Ctrl-C) to a child process.</summary>
internal static partial class Signals
{
    internal const int SigInt = 2;
    internal const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill")]
    internal static partial int Kill(int pid, int signal);
}
