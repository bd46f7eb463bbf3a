using System.Reflection;
using NetArchTest.Rules;

namespace Teardown.Architecture.Tests;

/// <summary>
/// What the project graph cannot say: which namespaces a layer's code may touch. A project
/// reference is transitive in .NET, so these rules look at the compiled types.
/// </summary>
public sealed class DependencyRuleTests
{
    private static readonly Assembly Kernel = typeof(Teardown.Kernel.TcpState).Assembly;
    private static readonly Assembly Model = typeof(Teardown.Model.Rules.ReapRules).Assembly;
    private static readonly Assembly Doctor = typeof(Teardown.Doctor.Analysis.DoctorAnalysis).Assembly;
    private static readonly Assembly Cli = typeof(Teardown.Cli.TeardownApp).Assembly;
    private static readonly Assembly Server = typeof(Teardown.Server.Hosting.ServeHost).Assembly;
    private static readonly Assembly Remediation = typeof(Teardown.Remediation.ActionRunner).Assembly;

    // The parts of Teardown.Linux that make syscalls or hold kernel resources — every type of these
    // namespaces except the error values they return (LinuxError, LinuxResult), which reports carry.
    private static readonly string[] SystemCallNamespaces =
        ["Teardown.Linux.Interop", "Teardown.Linux.Netlink", "Teardown.Linux.Bpf", "Teardown.Linux.Namespaces", "Teardown.Linux.Files"];

    private static readonly string[] SystemCalls = [.. typeof(Teardown.Linux.Interop.LinuxError).Assembly.GetTypes()
        .Where(t => t.Namespace is string ns && SystemCallNamespaces.Contains(ns) && t.DeclaringType is null)
        .Where(t => t != typeof(Teardown.Linux.Interop.LinuxError) && !(t.IsGenericTypeDefinition && t.Name.StartsWith("LinuxResult", StringComparison.Ordinal)))
        .Select(t => t.FullName!)];

    [Fact]
    public void The_vocabulary_depends_on_nothing_of_ours()
    {
        var result = Types.InAssembly(Kernel).ShouldNot().HaveDependencyOnAny("Teardown.Model", "Teardown.Linux", "Teardown.Scenarios", "Teardown.Lab", "Teardown.Doctor", "Teardown.Server", "Teardown.Cli").GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void Remediation_declares_no_system_calls_of_its_own()
    {
        // Its hands are Teardown.Linux's layout-tested primitives (Pidfd, SocketCalls, SockDiag, FileKinds).
        var native = Remediation.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => (m.Attributes & MethodAttributes.PinvokeImpl) != 0 || m.GetCustomAttributes().Any(a => a.GetType().Name is "DllImportAttribute" or "LibraryImportAttribute"))
            .Select(m => $"{m.DeclaringType}.{m.Name}")
            .ToList();
        Assert.True(native.Count == 0, "declares native calls: " + string.Join(", ", native));
    }

    [Fact]
    public void The_model_is_pure_no_io_no_clock_no_threads()
    {
        var result = Types.InAssembly(Model).ShouldNot()
            .HaveDependencyOnAny("System.IO", "System.Net.Sockets", "System.Threading.Thread", "System.Diagnostics.Stopwatch", "System.Runtime.InteropServices.Marshal", "Teardown.Linux")
            .GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void The_doctor_is_pure_it_reads_snapshots_and_makes_no_system_calls()
    {
        var result = Types.InAssembly(Doctor).ShouldNot()
            .HaveDependencyOnAny([.. SystemCalls, "System.Net.Sockets", "System.Diagnostics.Process", "Teardown.Linux.Inventory.InventoryReader",
                "Teardown.Linux.Inventory.ParallelInventory", "Teardown.Linux.Inventory.NamespaceSnapshots", "Teardown.Linux.Owners.OwnerScanner", "Teardown.Linux.Owners.ProcFdScanner", "Teardown.Linux.Owners.TaskFileScanner",
                "Teardown.Linux.Ledger.ActionLedger", "Teardown.Linux.Ledger.LedgerFollower", "Teardown.Linux.Inventory.HeldDescriptors"])
            .GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void The_cli_only_parses_calls_and_renders_no_system_calls()
    {
        // Reading an input file's type (FileKinds) is the one allowed look at the system: it decides what the CLI refuses to read.
        var result = Types.InAssembly(Cli).ShouldNot().HaveDependencyOnAny([.. SystemCalls.Where(t => !t.StartsWith("Teardown.Linux.Files", StringComparison.Ordinal)), "System.Net.Sockets"]).GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void The_server_reads_the_host_only_through_snapshots()
    {
        // It serves what the Linux layer's inventory read: it never opens netlink, BPF or a namespace itself.
        var result = Types.InAssembly(Server).ShouldNot().HaveDependencyOnAny([.. SystemCalls, "Spectre.Console"]).GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void Only_the_cli_writes_to_the_console_and_it_does_so_through_its_terminal()
    {
        var result = Types.InAssembly(Doctor).ShouldNot().HaveDependencyOn("Spectre.Console").GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void Only_the_linux_layer_declares_platform_calls()
    {
        var lab = typeof(Teardown.Lab.KernelTarget).Assembly;
        var scenarios = typeof(Teardown.Scenarios.Syntax.ScenarioParser).Assembly;
        var offenders = new[] { Kernel, Model, Doctor, Cli, Server, lab, scenarios }.SelectMany(PlatformCalls).ToList();
        Assert.True(offenders.Count == 0, "P/Invoke outside Teardown.Linux: " + string.Join(", ", offenders));
        // The rule sees LibraryImport's generated externs: Teardown.Linux has plenty.
        Assert.NotEmpty(PlatformCalls(typeof(Teardown.Linux.Interop.LinuxError).Assembly));
    }

    private static IEnumerable<string> PlatformCalls(Assembly assembly) => assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(m => m.Attributes.HasFlag(MethodAttributes.PinvokeImpl))
            .Select(m => $"{t.FullName}.{m.Name}"));

    private static string Offenders(TestResult result) =>
        result.IsSuccessful ? "" : "offending types: " + string.Join(", ", result.FailingTypeNames ?? []);
}
