using System.Text;
using Teardown.Linux.Inventory;
using Teardown.Linux.Ledger;

namespace Teardown.Linux.Tests.Ledger;

/// <summary>The action ledger's file format and incremental reading, in a temporary directory.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ActionLedgerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("teardown-ledger-").FullName;

    private string LedgerPath => Path.Combine(_dir, "run", "actions.jsonl");

    internal static LedgerEntry Entry(int n, LedgerAction action = LedgerAction.Release, LedgerOutcome outcome = LedgerOutcome.Released,
        int? pid = 42, int? fd = 17, ulong inode = 5000, ulong netns = 4026531840) =>
        new(new DateTimeOffset(2026, 12, 6, 22, 0, n % 60, 123, TimeSpan.Zero), action, outcome,
            outcome is LedgerOutcome.Skipped or LedgerOutcome.Refused ? "state moved on" : null,
            outcome == LedgerOutcome.Refused ? "EPERM" : null,
            netns, 0xabc0UL + (ulong)n, "10.0.0.1:8080", $"10.0.0.2:{40000 + n}", inode + (ulong)n, "CLOSE_WAIT", "close-wait-unread-eof",
            pid, fd is int f ? f + n : null, pid is null ? null : "nginx", 0, 999);

    [Fact]
    public void Append_ThenRead_ReturnsTheSameEntries_AndTheOffsetAfterTheLastLine()
    {
        LedgerEntry[] written = [Entry(1), Entry(2, LedgerAction.Kill, LedgerOutcome.Killed, pid: null, fd: null, inode: 0), Entry(3, outcome: LedgerOutcome.Refused)];
        Assert.True(ActionLedger.Append(LedgerPath, written).IsOk);
        var read = ActionLedger.Read(LedgerPath);
        Assert.Equal(written, read.Entries);
        Assert.Equal(new FileInfo(LedgerPath).Length, read.NextOffset);
        Assert.Equal(0, read.Unreadable);
        Assert.Null(read.Error);
        // The file is the owner's alone (it names processes and connections).
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LedgerPath));
    }

    [Fact]
    public void Format_IsOneJsonLine_WithTheDocumentedKeys()
    {
        string line = ActionLedger.Format(Entry(1, outcome: LedgerOutcome.Refused));
        Assert.DoesNotContain('\n', line);
        foreach (string key in (string[])["time", "action", "outcome", "reason", "errno", "netns", "cookie", "local", "remote", "inode", "state", "class", "pid", "fd", "command", "uid", "tool_pid"])
        {
            Assert.Contains($"\"{key}\":", line, StringComparison.Ordinal);
        }

        Assert.Contains("\"action\":\"release\"", line, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"refused\"", line, StringComparison.Ordinal);
        Assert.True(ActionLedger.TryParse(Encoding.UTF8.GetBytes(line), out var back));
        Assert.Equal(Entry(1, outcome: LedgerOutcome.Refused), back);
    }

    [Fact]
    public void Read_FromAnOffset_ReturnsOnlyLaterLines()
    {
        ActionLedger.Append(LedgerPath, [Entry(1), Entry(2)]);
        var first = ActionLedger.Read(LedgerPath);
        ActionLedger.Append(LedgerPath, [Entry(3)]);
        var second = ActionLedger.Read(LedgerPath, first.NextOffset);
        Assert.Equal([Entry(3)], second.Entries);
        Assert.Equal(new FileInfo(LedgerPath).Length, second.NextOffset);
    }

    [Fact]
    public void Read_StopsBeforeATornLastLine_AndReadsItOnceItIsWhole()
    {
        ActionLedger.Append(LedgerPath, [Entry(1)]);
        string whole = ActionLedger.Format(Entry(2)) + "\n";
        File.AppendAllText(LedgerPath, whole[..40]); // a writer caught mid-line
        var read = ActionLedger.Read(LedgerPath);
        Assert.Equal([Entry(1)], read.Entries);
        Assert.Equal(0, read.Unreadable);
        long offset = read.NextOffset;
        Assert.True(offset < new FileInfo(LedgerPath).Length);

        File.AppendAllText(LedgerPath, whole[40..]);
        var rest = ActionLedger.Read(LedgerPath, offset);
        Assert.Equal([Entry(2)], rest.Entries);
    }

    [Fact]
    public void Read_SkipsAndCountsGarbageLines()
    {
        ActionLedger.Append(LedgerPath, [Entry(1)]);
        File.AppendAllText(LedgerPath, "not json at all\n{\"action\":\"release\"}\n[1,2]\n\n");
        ActionLedger.Append(LedgerPath, [Entry(2)]);
        var read = ActionLedger.Read(LedgerPath);
        Assert.Equal([Entry(1), Entry(2)], read.Entries);
        Assert.Equal(3, read.Unreadable); // the empty line is not a line
    }

    [Fact]
    public void Read_OfAFileShorterThanTheOffset_StartsAgainAtZero()
    {
        ActionLedger.Append(LedgerPath, [Entry(1), Entry(2), Entry(3)]);
        long end = ActionLedger.Read(LedgerPath).NextOffset;
        File.WriteAllText(LedgerPath, ActionLedger.Format(Entry(9)) + "\n"); // truncated and rewritten
        var read = ActionLedger.Read(LedgerPath, end);
        Assert.Equal([Entry(9)], read.Entries);
        Assert.Equal(new FileInfo(LedgerPath).Length, read.NextOffset);
    }

    [Fact]
    public void Read_OfAMissingFileOrDirectory_IsAnEmptyLedger()
    {
        foreach (string path in (string[])[Path.Combine(_dir, "absent.jsonl"), Path.Combine(_dir, "no", "such", "dir", "actions.jsonl")])
        {
            var read = ActionLedger.Read(path, 100);
            Assert.Empty(read.Entries);
            Assert.Equal(0, read.NextOffset);
            Assert.Null(read.Error);
        }
    }

    [Fact]
    public void Follower_CountsEachLineOnce_AndNeverGoesDown_WhenTheLedgerIsReplaced()
    {
        var follower = new LedgerFollower(LedgerPath);
        follower.Poll();
        Assert.Equal(0, follower.Totals.Total);

        ActionLedger.Append(LedgerPath, [Entry(1), Entry(2), Entry(3, LedgerAction.Kill, LedgerOutcome.Killed)]);
        Assert.Equal(3, follower.Poll().Count);
        Assert.Empty(follower.Poll());
        Assert.Equal(2, follower.Totals.Released);
        Assert.Equal(1, follower.Totals.Killed);

        ActionLedger.Append(LedgerPath, [Entry(4, outcome: LedgerOutcome.Skipped)]);
        follower.Poll();
        Assert.Equal(1, follower.Totals.Count(LedgerAction.Release, LedgerOutcome.Skipped));

        // Rotated: a new, longer file with another first line. Read from its start, added on top.
        File.Move(LedgerPath, LedgerPath + ".1");
        ActionLedger.Append(LedgerPath, [Entry(10), Entry(11), Entry(12), Entry(13), Entry(14)]);
        Assert.Equal(5, follower.Poll().Count);
        Assert.Equal(7, follower.Totals.Released);
        Assert.Equal(1, follower.Restarts);

        // Truncated to nothing, then one more line.
        File.WriteAllText(LedgerPath, "");
        Assert.Empty(follower.Poll());
        ActionLedger.Append(LedgerPath, [Entry(20, LedgerAction.Kill, LedgerOutcome.Killed)]);
        Assert.Single(follower.Poll());
        Assert.Equal(2, follower.Totals.Killed);
        Assert.Equal(7, follower.Totals.Released);

        // Removed: nothing new, totals kept.
        File.Delete(LedgerPath);
        Assert.Empty(follower.Poll());
        Assert.Equal(2, follower.Totals.Killed);
    }

    [Fact]
    public void Follower_StartsFromTheWholeLedger_SoARestartedServerKeepsItsTotals()
    {
        ActionLedger.Append(LedgerPath, [Entry(1), Entry(2)]);
        var before = new LedgerFollower(LedgerPath);
        before.Poll();
        var restarted = new LedgerFollower(LedgerPath);
        restarted.Poll();
        Assert.Equal(before.Totals, restarted.Totals);
        Assert.Equal(2, restarted.Totals.Since(LedgerTotals.Empty).Released);
    }

    [Fact]
    public void Follower_KeepsReleasedAndKilledEntriesWithAnOwner_AsCandidates_UntilForgotten()
    {
        var follower = new LedgerFollower(LedgerPath);
        LedgerEntry released = Entry(1), killedHeld = Entry(2, LedgerAction.Kill, LedgerOutcome.Killed),
            killedOrphan = Entry(3, LedgerAction.Kill, LedgerOutcome.Killed, pid: null, fd: null, inode: 0),
            refused = Entry(4, outcome: LedgerOutcome.Refused), skipped = Entry(5, outcome: LedgerOutcome.Skipped);
        ActionLedger.Append(LedgerPath, [released, killedHeld, killedOrphan, refused, skipped]);
        follower.Poll();
        Assert.Equal([released, killedHeld], follower.HeldCandidates);
        follower.Forget([follower.HeldCandidates[0]]); // what a check returns: the follower's own entries
        follower.Forget([killedHeld]); // an equal entry read elsewhere is another line: kept
        Assert.Equal([killedHeld], follower.HeldCandidates);
    }

    [Fact]
    public void HeldCheck_ReadsEachDescriptorLink_HeldOnlyWhenItStillNamesTheSocket()
    {
        // A fake procfs: the links are what readlink returns, whatever they point to.
        string proc = Path.Combine(_dir, "proc");
        void Link(int pid, int fd, string target)
        {
            Directory.CreateDirectory(Path.Combine(proc, $"{pid}", "fd"));
            File.CreateSymbolicLink(Path.Combine(proc, $"{pid}", "fd", $"{fd}"), target);
        }

        LedgerEntry held = Entry(1), reused = Entry(2), pipe = Entry(3), closed = Entry(4), goneProcess = Entry(5, pid: 77);
        Link(42, held.Fd!.Value, $"socket:[{held.Inode}]");
        Link(42, reused.Fd!.Value, $"socket:[{reused.Inode + 1000}]");
        Link(42, pipe.Fd!.Value, "pipe:[123]");
        var olderOfHeld = held with { Time = held.Time.AddSeconds(-30), Outcome = LedgerOutcome.Released };
        var orphan = Entry(6, LedgerAction.Kill, LedgerOutcome.Killed, pid: null, fd: null, inode: 0);

        var check = HeldDescriptors.Check([olderOfHeld, held, reused, pipe, closed, goneProcess, orphan], proc);
        Assert.Equal(new[] { held }, check.Held.ToArray());
        Assert.Equal(new HashSet<LedgerEntry> { olderOfHeld, reused, pipe, closed, goneProcess }, check.Closed.ToHashSet());
        Assert.Empty(check.Unreadable);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
