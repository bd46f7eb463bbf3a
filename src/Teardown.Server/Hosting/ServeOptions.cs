using System.Net;

namespace Teardown.Server.Hosting;

/// <summary>How <c>teardown serve</c> listens and what it serves.</summary>
public sealed record ServeOptions
{
    /// <summary>The default listen address: localhost only, so that nothing is exposed without asking.</summary>
    public static IPEndPoint DefaultListen { get; } = new(IPAddress.Loopback, 9877);

    /// <summary>Address and port to listen on (port 0: any free port, see <see cref="ServeHost.BoundPort"/>).</summary>
    public IPEndPoint Listen { get; init; } = DefaultListen;

    /// <summary>Time between snapshots.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Label values kept per host-derived label.</summary>
    public int Top { get; init; } = Teardown.Doctor.Export.ExportViewBuilder.DefaultTop;

    /// <summary>The version served in metrics and the status.</summary>
    public string Version { get; init; } = "0.0.0";

    /// <summary>TLS, basic auth and response headers from an exporter-toolkit web config file; null for plain HTTP without auth.</summary>
    public Security.WebConfig? WebConfig { get; init; }
}
