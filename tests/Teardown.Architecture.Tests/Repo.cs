namespace Teardown.Architecture.Tests;

/// <summary>The repository this test assembly was built from.</summary>
internal static class Repo
{
    /// <summary>The folder holding Teardown.slnx.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Teardown.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }
}
