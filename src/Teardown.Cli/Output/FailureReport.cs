using System.Text.RegularExpressions;
using Spectre.Console.Cli;
using Teardown.Lab;

namespace Teardown.Cli.Output;

/// <summary>
/// Turns whatever escaped a command into one plain line on standard error and an exit code: usage
/// errors (2) in words a user can act on, a missing permission or kernel feature (3), an
/// interruption (130), and only a real bug as an internal error (70).
/// </summary>
internal static partial class FailureReport
{
    internal static int Report(Exception ex, Terminal terminal)
    {
        switch (ex)
        {
            case CommandParseException or CommandRuntimeException or CommandConfigurationException:
                terminal.Fail(Plain(ex.Message));
                terminal.Error.WriteLine("Try 'teardown --help' or 'teardown COMMAND --help'.");
                return ExitCodes.Usage;
            case LabUnavailableException lab:
                terminal.Fail($"the kernel lab cannot run here: {lab.Reason}");
                return ExitCodes.Permission;
            case LabRunException run:
                terminal.Fail($"the kernel lab failed: {run.Message}");
                return ExitCodes.Internal;
            case OperationCanceledException:
                terminal.Fail("interrupted");
                return ExitCodes.Interrupted;
            default:
                terminal.Fail($"internal error: {ex.GetType().Name}: {ex.Message}");
                if (Environment.GetEnvironmentVariable("TEARDOWN_DEBUG") is "1") terminal.Error.WriteLine(ex.ToString());
                else terminal.Error.WriteLine("Set TEARDOWN_DEBUG=1 for the stack trace, and please report it.");
                return ExitCodes.Internal;
        }
    }

    /// <summary>Spectre's messages with their .NET type names put into words.</summary>
    internal static string Plain(string message)
    {
        message = message.Trim().TrimEnd('.');
        var conversion = FailedConversion().Match(message);
        if (conversion.Success)
        {
            return $"'{conversion.Groups["value"].Value}' is not {Describe(conversion.Groups["type"].Value)}";
        }

        return message;
    }

    private static string Describe(string type) => type switch
    {
        "Int32" or "Nullable`1" or "Int64" or "UInt64" or "UInt16" => "a whole number",
        "Boolean" => "true or false",
        _ => "a valid value",
    };

    [GeneratedRegex("^Failed to convert '(?<value>.*)' to (?<type>[A-Za-z0-9`]+)")]
    private static partial Regex FailedConversion();
}
