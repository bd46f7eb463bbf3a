namespace Teardown.Server.Tests.Support;

/// <summary>The repository's root (the directory holding Teardown.slnx).</summary>
internal static class Repo
{
    internal static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Teardown.slnx"))) return dir.FullName;
        }

        throw new InvalidOperationException("Teardown.slnx not found above " + AppContext.BaseDirectory);
    }
}
