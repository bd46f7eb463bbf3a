namespace Teardown.Lab.Running;

/// <summary>Finds how to start the <c>teardown</c> binary for agents.</summary>
public static class AgentCommand
{
    /// <summary>
    /// The command prefix that runs <c>teardown</c> (the lab appends <c>agent</c>): the current process when
    /// it is the teardown apphost; else <c>dotnet teardown.dll</c> from the application's directory.
    /// </summary>
    public static IReadOnlyList<string> Default()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileName(self) == "teardown") return [self];
        string dll = Path.Combine(AppContext.BaseDirectory, "teardown.dll");
        if (!File.Exists(dll))
        {
            throw new LabUnavailableException($"cannot find the teardown binary for lab agents (looked for {dll})");
        }

        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        return [dotnet, dll];
    }
}
