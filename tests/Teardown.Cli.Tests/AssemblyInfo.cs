// The CLI tests share one process's console, descriptors and namespaces (the demo counts /proc/self/fd
// to prove it closed everything): run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
