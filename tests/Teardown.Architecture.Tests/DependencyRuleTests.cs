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

    // The parts of Teardown.Linux that make syscalls or hold kernel resources.
    private static readonly string[] SystemCalls =
        ["Teardown.Linux.Interop", "Teardown.Linux.Netlink", "Teardown.Linux.Bpf", "Teardown.Linux.Namespaces"];

    [Fact]
    public void The_vocabulary_depends_on_nothing_of_ours()
    {
        var result = Types.InAssembly(Kernel).ShouldNot().HaveDependencyOnAny("Teardown.Model", "Teardown.Linux", "Teardown.Scenarios", "Teardown.Lab", "Teardown.Doctor", "Teardown.Cli").GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
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
                "Teardown.Linux.Inventory.ParallelInventory", "Teardown.Linux.Inventory.NamespaceSnapshots", "Teardown.Linux.Proc.OwnerScanner"])
            .GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void The_cli_only_parses_calls_and_renders_no_system_calls()
    {
        var result = Types.InAssembly(Cli).ShouldNot().HaveDependencyOnAny([.. SystemCalls, "System.Net.Sockets"]).GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void Only_the_cli_writes_to_the_console_and_it_does_so_through_its_terminal()
    {
        var result = Types.InAssembly(Doctor).ShouldNot().HaveDependencyOn("Spectre.Console").GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    private static string Offenders(TestResult result) =>
        result.IsSuccessful ? "" : "offending types: " + string.Join(", ", result.FailingTypeNames ?? []);
}
