using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Teardown.Linux.Ledger;

/// <summary>
/// One line of the action ledger as text (a JSON object on one line), both ways. Pure: the doctor's
/// captures carry ledger entries in this form.
/// </summary>
public static class LedgerLine
{
    /// <summary>One entry as its ledger line (without the newline).</summary>
    public static string Format(LedgerEntry entry)
    {
        var buffer = new MemoryStream();
        WriteLine(buffer, entry);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length - 1);
    }

    /// <summary>Parses one ledger line.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out LedgerEntry entry)
    {
        entry = null!;
        try
        {
            using var doc = JsonDocument.Parse(line.ToArray());
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) return false;
            if (!Enum.TryParse<LedgerAction>(r.GetProperty("action").GetString(), ignoreCase: true, out var action)) return false;
            if (!Enum.TryParse<LedgerOutcome>(r.GetProperty("outcome").GetString(), ignoreCase: true, out var outcome)) return false;
            entry = new LedgerEntry(
                DateTimeOffset.Parse(r.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                action,
                outcome,
                OptionalString(r, "reason"),
                OptionalString(r, "errno"),
                r.GetProperty("netns").GetUInt64(),
                ulong.Parse(r.GetProperty("cookie").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                r.GetProperty("local").GetString()!,
                r.GetProperty("remote").GetString()!,
                r.GetProperty("inode").GetUInt64(),
                r.GetProperty("state").GetString()!,
                r.GetProperty("class").GetString()!,
                OptionalInt(r, "pid"),
                OptionalInt(r, "fd"),
                OptionalString(r, "command"),
                r.GetProperty("uid").GetUInt32(),
                r.GetProperty("tool_pid").GetInt32());
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    private static string? OptionalString(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? OptionalInt(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    internal static void WriteLine(MemoryStream buffer, LedgerEntry e)
    {
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            w.WriteString("action", e.Action.Id());
            w.WriteString("outcome", e.Outcome.ToString().ToLowerInvariant());
            if (e.Reason is not null) w.WriteString("reason", e.Reason);
            if (e.Errno is not null) w.WriteString("errno", e.Errno);
            w.WriteNumber("netns", e.NetnsInode);
            w.WriteString("cookie", e.Cookie.ToString("x", CultureInfo.InvariantCulture));
            w.WriteString("local", e.Local);
            w.WriteString("remote", e.Remote);
            w.WriteNumber("inode", e.Inode);
            w.WriteString("state", e.State);
            w.WriteString("class", e.Class);
            if (e.Pid is int pid) w.WriteNumber("pid", pid);
            if (e.Fd is int fd) w.WriteNumber("fd", fd);
            if (e.Command is not null) w.WriteString("command", e.Command);
            w.WriteNumber("uid", e.Uid);
            w.WriteNumber("tool_pid", e.ToolPid);
            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
    }
}
