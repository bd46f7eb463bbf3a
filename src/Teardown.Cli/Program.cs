using Teardown.Cli;

// `teardown agent`: the kernel lab's per-host socket process (Teardown.Lab.Agent.AgentProgram).
// Dispatched before anything else so that an agent starts fast and prints nothing but protocol lines.
if (args.Length > 0 && args[0] == "agent")
{
    return await Teardown.Lab.Agent.AgentProgram.RunAsync(args[1..]).ConfigureAwait(false);
}

return TeardownApp.Run(args);
