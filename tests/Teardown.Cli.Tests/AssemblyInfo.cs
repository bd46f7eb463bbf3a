// Commands write to their own injected Terminal, so CLI tests run in parallel. Tests that count this
// process's descriptors (the demo proves it closed everything) run alone, in the collection below.
[CollectionDefinition(nameof(CountsDescriptors), DisableParallelization = true)]
public sealed class CountsDescriptors;
