using Teardown.Cli.Commands;

namespace Teardown.Cli.Tests;

public sealed class ProseTests
{
    [Fact]
    public void Wrapping_breaks_only_at_spaces_and_keeps_every_line_within_the_width()
    {
        string text = "CLOSE_WAIT has no timer: it lasts until the owning process calls close() or shutdown(SHUT_WR), toward 2001:db8::1234:5678:9abc:def0:8080";
        var lines = Prose.Wrap(text, 30).ToList();
        Assert.Equal(text.Split(' '), string.Join(' ', lines).Split(' '));
        Assert.All(lines.Where(l => l.Contains(' ', StringComparison.Ordinal)), l => Assert.True(l.Length <= 30, l));
        Assert.Contains("2001:db8::1234:5678:9abc:def0:8080", lines.Select(l => l.Split(' ').Last()));
    }

    [Fact]
    public void A_no_break_space_keeps_a_label_with_its_number_and_aligned_runs_stay()
    {
        var lines = Prose.Wrap("CLOSE-WAIT    1    0  127.0.0.1:40002 ino\u00a05427215 fd\u00a0348", 40).ToList();
        Assert.StartsWith("CLOSE-WAIT    1    0  127.0.0.1:40002", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("fd\u00a0348", StringComparison.Ordinal));
    }
}
