using System.Net;
using System.Text.Json;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Tests.Support;

/// <summary>Access to the captured kernel fixtures (see Fixtures/capture.py).</summary>
internal static class Fixture
{
    internal const string Kernel = "kernel-6.18";

    internal static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", Kernel, name);

    internal static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    internal static string Text(string name) => File.ReadAllText(PathOf(name));

    internal static IReadOnlyList<ExpectedSocket> Manifest()
    {
        using var doc = JsonDocument.Parse(Text("manifest.json"));
        return doc.RootElement.GetProperty("sockets").EnumerateArray().Select(e => new ExpectedSocket(
            e.GetProperty("kind").GetString()!,
            (byte)e.GetProperty("family").GetInt32(),
            Endpoint(e.GetProperty("local")),
            e.GetProperty("remote").ValueKind == JsonValueKind.Null ? null : Endpoint(e.GetProperty("remote")),
            StateOf(e.GetProperty("state").GetString()!),
            e.GetProperty("inode").GetUInt64(),
            e.GetProperty("rq").ValueKind == JsonValueKind.Null ? null : e.GetProperty("rq").GetUInt32())).ToList();
    }

    private static InetEndpoint Endpoint(JsonElement pair) =>
        new(InetAddress.From(IPAddress.Parse(pair[0].GetString()!)), (ushort)pair[1].GetInt32());

    private static TcpState StateOf(string name) => name switch
    {
        "LISTEN" => TcpState.Listen,
        "ESTABLISHED" => TcpState.Established,
        "CLOSE_WAIT" => TcpState.CloseWait,
        "FIN_WAIT2" => TcpState.FinWait2,
        "TIME_WAIT" => TcpState.TimeWait,
        _ => throw new InvalidDataException(name),
    };
}

/// <summary>One socket the capture script created, with what the kernel must report for it.</summary>
internal sealed record ExpectedSocket(string Kind, byte Family, InetEndpoint Local, InetEndpoint? Remote, TcpState State, ulong Inode, uint? RecvQ)
{
    internal bool Matches(in SocketRecord r) =>
        r.Family == Family && r.Local == Local && (Remote is null || r.Remote == Remote.Value);
}
