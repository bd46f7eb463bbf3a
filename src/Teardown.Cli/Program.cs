using Teardown.Cli;

// `teardown agent`: the kernel lab's per-host socket process (Teardown.Lab.Agent.AgentProgram).
// Dispatched before anything else so that an agent starts fast and prints nothing but protocol lines.
if (args.Length > 0 && args[0] == "agent")
{
    return await Teardown.Lab.Agent.AgentProgram.RunAsync(args[1..]).ConfigureAwait(false);
}

// `teardown doctor` on this host: start the /proc/*/fd owner scan (its critical path) before the
// runtime finishes loading the command-line machinery (Teardown.Doctor.Input.ParallelInventory).
if (args.Length > 0 && args[0] == "doctor" && !args.Any(a => a is "--input" or "-h" or "--help" or "-?"))
{
    Teardown.Doctor.Input.ParallelInventory.PrefetchOwners(Teardown.Cli.Commands.OwnerMethodParser.FromArgs(args));
}

return TeardownApp.Run(args);
