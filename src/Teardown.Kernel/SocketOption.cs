namespace Teardown.Kernel;

/// <summary>
/// The socket options teardown behaviour depends on, as scenarios set them (<c>setsockopt</c>), as the lab's
/// agent applies them, and as <c>teardown whatif</c> asks about them. One vocabulary for all layers.
/// </summary>
public enum SocketOption
{
    /// <summary>SO_LINGER: on/off and seconds (net/core/sock.c:sk_setsockopt).</summary>
    SoLinger,

    /// <summary>TCP_LINGER2 in seconds: the orphan FIN_WAIT2 budget; negative resets at close (net/ipv4/tcp.c:do_tcp_setsockopt).</summary>
    TcpLinger2,

    /// <summary>SO_KEEPALIVE on/off (net/ipv4/tcp.c:tcp_set_keepalive).</summary>
    SoKeepalive,

    /// <summary>TCP_KEEPIDLE in seconds.</summary>
    TcpKeepIdle,

    /// <summary>TCP_KEEPINTVL in seconds.</summary>
    TcpKeepIntvl,

    /// <summary>TCP_KEEPCNT probes.</summary>
    TcpKeepCnt,

    /// <summary>TCP_USER_TIMEOUT in milliseconds.</summary>
    TcpUserTimeout,
}

/// <summary>Names of socket options as C code writes them.</summary>
public static class SocketOptionNames
{
    /// <summary>SO_LINGER, TCP_LINGER2, SO_KEEPALIVE, ….</summary>
    public static string Name(this SocketOption option) => option switch
    {
        SocketOption.SoLinger => "SO_LINGER",
        SocketOption.TcpLinger2 => "TCP_LINGER2",
        SocketOption.SoKeepalive => "SO_KEEPALIVE",
        SocketOption.TcpKeepIdle => "TCP_KEEPIDLE",
        SocketOption.TcpKeepIntvl => "TCP_KEEPINTVL",
        SocketOption.TcpKeepCnt => "TCP_KEEPCNT",
        _ => "TCP_USER_TIMEOUT",
    };
}
