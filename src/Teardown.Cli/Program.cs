using System.Diagnostics;
using Teardown.Cli;
using Teardown.Cli.Commands;
using Teardown.Linux.Inventory;

long started = Stopwatch.GetTimestamp();

// `teardown agent`: the kernel lab's per-host socket process (Teardown.Lab.Agent.AgentProgram).
// Dispatched before anything else so that an agent starts fast and prints nothing but protocol lines.
if (args.Length > 0 && args[0] == "agent")
{
    return await Teardown.Lab.Agent.AgentProgram.RunAsync(args[1..]).ConfigureAwait(false);
}

// `teardown doctor` on this host: start the /proc/*/fd owner scan (its critical path) before the
// runtime finishes loading the command-line machinery (OwnerPrefetch).
OwnerPrefetch? prefetch = null;
if (args.Length > 0 && args[0] == "doctor" && !args.Any(a => a is "--input" or "-h" or "--help" or "-?"))
{
    prefetch = OwnerPrefetch.Start(OwnerMethodParser.FromArgs(args));
}

return TeardownApp.Run(args, startup: new StartupWork(prefetch, started));
