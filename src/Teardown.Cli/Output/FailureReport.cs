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
    internal static int Report(Exception ex, Terminal terminal, IReadOnlyList<string>? args = null)
    {
        switch (ex)
        {
            case CommandParseException or CommandRuntimeException or CommandConfigurationException:
                terminal.Fail(Plain(ex.Message, args ?? []));
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

    /// <summary>
    /// Spectre's messages in words a user can act on: .NET type names become what was expected, and
    /// the option a bad value belongs to is named (found on the command line, as Spectre does not say).
    /// </summary>
    internal static string Plain(string message, IReadOnlyList<string> args)
    {
        message = message.Trim().TrimEnd('.');
        var conversion = FailedConversion().Match(message);
        if (conversion.Success)
        {
            string value = conversion.Groups["value"].Value;
            string expected = Describe(conversion.Groups["type"].Value);
            return OptionBefore(args, value) is string option ? $"{option} takes {expected}, not '{value}'" : $"'{value}' is not {expected}";
        }

        if (message == "Flags cannot be assigned a value" && args.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)) is string flag)
        {
            return $"{flag[..flag.IndexOf('=', StringComparison.Ordinal)]} is a switch and takes no value";
        }

        return message;
    }

    /// <summary>
    /// An argument Spectre's parser cannot take apart ("-", "--=x" would end in an internal error),
    /// as a usage message; null when every argument is well formed.
    /// </summary>
    internal static string? Malformed(IReadOnlyList<string> args)
    {
        foreach (string a in args)
        {
            if (a == "--") return null; // what follows is not options
            if (a == "-" || a.StartsWith("--=", StringComparison.Ordinal) || a.StartsWith("-=", StringComparison.Ordinal) || a.StartsWith("---", StringComparison.Ordinal))
            {
                return $"'{a}' is not an option (options look like --name or --name=value)";
            }
        }

        return null;
    }

    // "--pid abc" or "--pid=abc": the option whose value is `value`.
    private static string? OptionBefore(IReadOnlyList<string> args, string value)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == value && i > 0 && args[i - 1].StartsWith('-')) return args[i - 1];
            if (args[i].StartsWith('-') && args[i].EndsWith("=" + value, StringComparison.Ordinal)) return args[i][..^(value.Length + 1)];
        }

        return null;
    }

    private static string Describe(string type) => type switch
    {
        "Int32" or "Nullable`1" or "Int64" => "a whole number",
        "UInt64" or "UInt32" or "UInt16" => "a whole number, 0 or more",
        "Boolean" => "true or false",
        _ => "a valid value",
    };

    [GeneratedRegex("^Failed to convert '(?<value>.*)' to (?<type>[A-Za-z0-9`]+)")]
    private static partial Regex FailedConversion();
}
