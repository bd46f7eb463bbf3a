using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using Teardown.Linux.Inventory;
using Teardown.Linux.Ledger;
using Teardown.Linux.Owners;
using Teardown.Linux.Proc;
using Teardown.Linux.Settings;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Input;

/// <summary>
/// A saved <see cref="DoctorInput"/> (schema "teardown.capture/1"): sockets with their owners,
/// the owning processes, settings and blind spots. Lets a capture taken on one host be analysed
/// elsewhere (support, fixtures for tests) with exactly the same result. Each socket is one array:
/// [family, state, timer, retrans, shutdown, known, local, remote, inode, timerMs, recvQ, sendQ,
/// cgroup, tcpInfoLength, lastDataRecvMs, lastAckRecvMs, rtoUs, ownerPid, ownerFd].
/// </summary>
public static class CaptureJson
{
    /// <summary>The schema id.</summary>
    public const string Schema = "teardown.capture/1";

    /// <summary>Writes a capture.</summary>
    public static void Write(Utf8JsonWriter w, DoctorInput input)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(input);
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteString("takenAt", input.TakenAt);
        w.WriteNumber("netns", input.NetNsInode);
        w.WriteString("source", input.Source.ToString());
        w.WriteBoolean("ownersScanned", input.OwnersScanned);
        w.WritePropertyName("settings");
        JsonSerializer.Serialize(w, input.Settings, CaptureContext.Default.NetSettings);
        w.WritePropertyName("blindSpots");
        w.WriteStartArray();
        foreach (var b in input.BlindSpots)
        {
            w.WriteStartObject();
            w.WriteString("kind", b.Kind.ToString());
            w.WriteString("detail", b.Detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        var pids = new HashSet<int>();
        w.WritePropertyName("sockets");
        w.WriteStartArray();
        foreach (ref readonly var s in input.Sockets.AsSpan())
        {
            w.WriteStartArray();
            w.WriteNumberValue(s.Family);
            w.WriteNumberValue(s.State);
            w.WriteNumberValue(s.Timer);
            w.WriteNumberValue(s.Retrans);
            w.WriteNumberValue(s.Shutdown);
            w.WriteNumberValue((ushort)s.Known);
            w.WriteStringValue(s.Local.ToString());
            w.WriteStringValue(s.Remote.ToString());
            w.WriteNumberValue(s.Inode);
            w.WriteNumberValue(s.TimerExpiresMs);
            w.WriteNumberValue(s.RecvQ);
            w.WriteNumberValue(s.SendQ);
            w.WriteNumberValue(s.CgroupId);
            w.WriteNumberValue(s.TcpInfoLength);
            w.WriteNumberValue(s.LastDataRecvMs);
            w.WriteNumberValue(s.LastAckRecvMs);
            w.WriteNumberValue(s.RtoUs);
            if (s.Inode != 0 && input.Owners.TryGetOwner(s.Inode, out var owner))
            {
                w.WriteNumberValue(owner.Pid);
                w.WriteNumberValue(owner.Fd);
                pids.Add(owner.Pid);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
        // Descriptors still held after a release or kill, as the ledger's own lines (optional: absent in older captures).
        w.WritePropertyName("heldAfterAction");
        w.WriteStartArray();
        foreach (var e in input.HeldAfterAction)
        {
            w.WriteStringValue(LedgerLine.Format(e));
            if (e.Pid is int pid) pids.Add(pid);
        }

        w.WriteEndArray();
        w.WritePropertyName("processes");
        w.WriteStartArray();
        foreach (int pid in pids.Order())
        {
            if (input.Processes.TryGetValue(pid, out var p))
            {
                JsonSerializer.Serialize(w, new CapturedProcess(p.Pid, p.Comm, p.Executable, p.CgroupPath, p.NoFileLimit?.Soft, p.NoFileLimit?.Hard,
                    p.FdCount, p.SocketFdCount, p.NetNsInode), CaptureContext.Default.CapturedProcess);
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Reads a capture; throws <see cref="InvalidDataException"/> with the reason when it is not one.</summary>
    public static DoctorInput Read(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var schema) || schema.GetString() != Schema)
            {
                throw new InvalidDataException($"not a {Schema} capture (save one with `teardown doctor --save FILE`)");
            }

            var sockets = ImmutableArray.CreateBuilder<SocketRecord>();
            var owners = new Dictionary<ulong, SocketOwner>();
            foreach (var e in root.GetProperty("sockets").EnumerateArray())
            {
                var r = new SocketRecord
                {
                    Family = (byte)e[0].GetInt32(),
                    State = (byte)e[1].GetInt32(),
                    Timer = (byte)e[2].GetInt32(),
                    Retrans = (byte)e[3].GetInt32(),
                    Shutdown = (byte)e[4].GetInt32(),
                    Known = (SocketFields)e[5].GetInt32(),
                    Local = Endpoint(e[6].GetString()!),
                    Remote = Endpoint(e[7].GetString()!),
                    Inode = e[8].GetUInt64(),
                    TimerExpiresMs = e[9].GetUInt32(),
                    RecvQ = e[10].GetUInt32(),
                    SendQ = e[11].GetUInt32(),
                    CgroupId = e[12].GetUInt64(),
                    TcpInfoLength = (ushort)e[13].GetInt32(),
                    LastDataRecvMs = e[14].GetUInt32(),
                    LastAckRecvMs = e[15].GetUInt32(),
                    RtoUs = e[16].GetUInt32(),
                };
                r.Source = Enum.Parse<SocketSource>(root.GetProperty("source").GetString()!);
                sockets.Add(r);
                if (e.GetArrayLength() >= 19)
                {
                    owners[r.Inode] = new SocketOwner(e[17].GetInt32(), e[18].GetInt32());
                }
            }

            var processes = root.GetProperty("processes").EnumerateArray()
                .Select(p => p.Deserialize(CaptureContext.Default.CapturedProcess)!)
                .ToDictionary(p => p.Pid, p => new ProcessInfo(p.Pid, p.Comm, p.Executable, p.CgroupPath,
                    p.LimitSoft is null && p.LimitHard is null ? null : new FileLimit(p.LimitSoft, p.LimitHard), p.FdCount, p.SocketFdCount, p.NetNsInode));
            return new DoctorInput
            {
                TakenAt = root.GetProperty("takenAt").GetDateTimeOffset(),
                NetNsInode = root.GetProperty("netns").GetUInt64(),
                Source = Enum.Parse<SocketSource>(root.GetProperty("source").GetString()!),
                Sockets = sockets.ToImmutable(),
                Owners = new DictionaryOwnerLookup(owners),
                Processes = processes,
                Settings = root.GetProperty("settings").Deserialize(CaptureContext.Default.NetSettings) ?? new NetSettings(),
                BlindSpots = [.. root.GetProperty("blindSpots").EnumerateArray()
                    .Select(b => new BlindSpot(Enum.Parse<BlindSpotKind>(b.GetProperty("kind").GetString()!), b.GetProperty("detail").GetString() ?? ""))],
                OwnersScanned = root.GetProperty("ownersScanned").GetBoolean(),
                HeldAfterAction = root.TryGetProperty("heldAfterAction", out var held) ? [.. held.EnumerateArray().Select(Held)] : [],
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"the capture is malformed: {e.Message}", e);
        }
    }

    private static LedgerEntry Held(JsonElement line) =>
        LedgerLine.TryParse(System.Text.Encoding.UTF8.GetBytes(line.GetString() ?? ""), out var entry)
            ? entry
            : throw new InvalidDataException($"heldAfterAction: not a ledger line: {line.GetRawText()}");

    private static InetEndpoint Endpoint(string text)
    {
        // "1.2.3.4:80" or "[::1]:80", as InetEndpoint.ToString writes them.
        var ep = IPEndPoint.Parse(text);
        return new InetEndpoint(InetAddress.From(ep.Address), (ushort)ep.Port);
    }
}

/// <summary>A process as saved in a capture.</summary>
internal sealed record CapturedProcess(int Pid, string? Comm, string? Executable, string? CgroupPath, long? LimitSoft, long? LimitHard,
    int FdCount, int SocketFdCount, ulong NetNsInode);

[System.Text.Json.Serialization.JsonSerializable(typeof(NetSettings))]
[System.Text.Json.Serialization.JsonSerializable(typeof(CapturedProcess))]
internal sealed partial class CaptureContext : System.Text.Json.Serialization.JsonSerializerContext;
