using Spectre.Console;

namespace Teardown.Cli.Output;

/// <summary>
/// The one output channel of every command, injected: rendered output and raw text (JSON lines,
/// timelines) both go to standard output through the same writer, so they stay in order; errors
/// and progress go to standard error as plain lines, so that <c>teardown doctor --json | jq</c>
/// never receives an error text. Tests build one over string writers and run in parallel.
/// </summary>
public sealed class Terminal
{
    /// <summary>Width used with <c>--wide</c>: lines as long as their content, as ss writes them to a pipe.</summary>
    public const int WideWidth = 400;

    /// <summary>Creates a channel over the given writers.</summary>
    /// <param name="output">Standard output, rendered (tables, panels) at its profile's width.</param>
    /// <param name="text">Standard output, raw; must be the writer behind <paramref name="output"/>.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="interactive">Standard output is a terminal (live views, colours).</param>
    /// <param name="height">Lines of the terminal (live views fit into it).</param>
    public Terminal(IAnsiConsole output, TextWriter text, TextWriter error, bool interactive, int height)
    {
        Out = output;
        Text = text;
        Error = error;
        IsInteractive = interactive;
        Height = height;
    }

    /// <summary>Standard output, rendered.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard output, raw text.</summary>
    public TextWriter Text { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard output is a terminal.</summary>
    public bool IsInteractive { get; }

    /// <summary>Columns available to rendered output.</summary>
    public int Width => Out.Profile.Width;

    /// <summary>Lines of the terminal.</summary>
    public int Height { get; }

    /// <summary>Lines as long as their content (<c>--wide</c>), for pipes and awk.</summary>
    public void UseWideLines() => Out.Profile.Width = WideWidth;

    /// <summary>One plain line on standard error: "teardown: MESSAGE".</summary>
    public void Fail(string message) => Error.WriteLine("teardown: " + message);

    /// <summary>Progress or a note on standard error, so that standard output keeps only the result.</summary>
    public void Note(string message) => Error.WriteLine(message);

    /// <summary>Sends what was written so far (a watch sample, a live refresh); also done when the command ends.</summary>
    public void Flush() => Text.Flush();

    /// <summary>The process's own standard output and error, measured as <see cref="TerminalSize"/> says.</summary>
    /// <remarks>
    /// Standard output is buffered: Console.Out flushes every Write, and Spectre writes a table cell
    /// by cell, so the doctor's panels cost one write(2) per segment — most of what rendering cost
    /// (bench/doctor-vs-ss.sh). Commands that show progress on stdout call <see cref="Flush"/>.
    /// </remarks>
    public static Terminal ForProcess()
    {
        var size = TerminalSize.Measure(Environment.GetEnvironmentVariable("COLUMNS"), Environment.GetEnvironmentVariable("LINES"),
            Console.IsOutputRedirected ? null : SafeWindow());
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16) { AutoFlush = false };
        // Spectre recognises a terminal only by Console.Out itself, so say what it would have detected.
        bool terminal = !Console.IsOutputRedirected;
        bool colours = terminal && Environment.GetEnvironmentVariable("NO_COLOR") is null or "" && Environment.GetEnvironmentVariable("TERM") is not "dumb";
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = colours ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colours ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        console.Profile.Width = size.Columns;
        console.Profile.Height = size.Lines;
        return new Terminal(console, stdout, Console.Error, terminal, size.Lines);
    }

    /// <summary>A channel over string writers, for tests: not interactive, <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static Terminal ForWriters(TextWriter output, TextWriter error, int width = 160, int height = 50)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        console.Profile.Height = height;
        return new Terminal(console, output, error, interactive: false, height);
    }

    private static (int Columns, int Lines)? SafeWindow()
    {
        try
        {
            return Console.WindowWidth > 0 ? (Console.WindowWidth, Console.WindowHeight) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
