using System.Diagnostics;
using System.Text;

namespace Teardown.Deploy.Tests.Support;

/// <summary>The repository's deploy/ files and the tools that check them (yamllint, node, npm, kubectl).</summary>
internal static class KubeRepo
{
    private static readonly Lazy<string> RootDir = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Teardown.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Teardown.slnx not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The folder holding Teardown.slnx.</summary>
    internal static string Root => RootDir.Value;

    internal static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    internal static string Kubernetes => PathOf("deploy", "kubernetes");

    internal static string Validator => PathOf("deploy", "kubernetes", "validate");

    /// <summary>
    /// The full path of a tool on PATH. Missing: skips with the reason, except under CI=true (where
    /// run-tests installs it), where a skip would hide a broken environment, so it fails.
    /// </summary>
    internal static string Tool(string name, string why)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
        if (found is not null) return found;
        var reason = $"{name} is not on PATH: {why}";
        if (Require.IsCi) throw new InvalidOperationException("CI=true, so this test must not skip: " + reason);
        Skip.If(true, reason);
        throw new InvalidOperationException(reason);
    }

    /// <summary>The result of one tool run: exit code and everything it printed.</summary>
    internal sealed record Run(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}\n{Output}";
    }

    /// <summary>Runs a tool to completion (bounded in time), standard input from <paramref name="stdin"/>.</summary>
    internal static Run Exec(string file, IEnumerable<string> args, string? workingDirectory = null, string? stdin = null, int timeoutSeconds = 300)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["npm_config_update_notifier"] = "false";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        var output = new StringBuilder();
        var gate = new object();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)}: still running after {timeoutSeconds} s\n{output}");
        }
        p.WaitForExit();
        lock (gate) return new Run(p.ExitCode, output.ToString());
    }

    private static readonly object NpmGate = new();

    /// <summary>
    /// node, with the validator's packages installed: `npm ci` from the committed package-lock.json
    /// when node_modules is missing or older than the lock (once per test run).
    /// </summary>
    internal static string NodeWithValidator()
    {
        var node = Tool("node", "the Kubernetes schema validator (deploy/kubernetes/validate) is a node script");
        lock (NpmGate)
        {
            var installed = Path.Combine(Validator, "node_modules", ".package-lock.json");
            var lockFile = Path.Combine(Validator, "package-lock.json");
            if (!File.Exists(installed) || File.GetLastWriteTimeUtc(installed) < File.GetLastWriteTimeUtc(lockFile))
            {
                var npm = Tool("npm", "installs the validator's schemas (npm ci in deploy/kubernetes/validate)");
                var run = Exec(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], Validator, timeoutSeconds: 600);
                if (run.ExitCode != 0) throw new InvalidOperationException("npm ci in deploy/kubernetes/validate failed: " + run);
            }
        }
        return node;
    }

    /// <summary>Runs the schema validator on targets (files, kustomization folders, or - with stdin).</summary>
    internal static Run Validate(IEnumerable<string> targets, string? stdin = null)
    {
        var node = NodeWithValidator();
        return Exec(node, [Path.Combine(Validator, "validate.mjs"), .. targets], Root, stdin);
    }
}
