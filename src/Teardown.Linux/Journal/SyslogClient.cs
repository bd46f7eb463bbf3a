using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Teardown.Linux.Interop;

namespace Teardown.Linux.Journal;

/// <summary>
/// Audit lines to the system log: datagrams on the local syslog socket (<c>/dev/log</c>, which
/// systemd-journald, rsyslog and syslog-ng all serve), in the format glibc's <c>syslog(3)</c>
/// writes (RFC 3164 with the timestamp, tag and pid), so every collector files them the usual way.
/// </summary>
public sealed class SyslogClient : IDisposable
{
    /// <summary>The standard local syslog socket.</summary>
    public const string DefaultPath = "/dev/log";

    /// <summary>LOG_AUTHPRIV (10): security/authorization messages — who changed what on the host.</summary>
    private const int FacilityAuthPriv = 10;

    /// <summary>LOG_NOTICE (5): a normal but significant condition.</summary>
    private const int SeverityNotice = 5;

    /// <summary>LOG_WARNING (4).</summary>
    private const int SeverityWarning = 4;

    private readonly Socket _socket;
    private readonly string _tag;

    private SyslogClient(Socket socket, string path, string tag)
    {
        _socket = socket;
        Path = path;
        _tag = tag;
    }

    /// <summary>The socket the lines go to.</summary>
    public string Path { get; }

    /// <summary>Connects to the syslog socket at <paramref name="path"/>; an error when there is none (no syslog daemon or journal on this host).</summary>
    public static LinuxResult<SyslogClient> Connect(string path = DefaultPath, string tag = "teardown")
    {
        ArgumentNullException.ThrowIfNull(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new SyslogClient(socket, path, tag);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var errno = e.SocketErrorCode switch
            {
                SocketError.AccessDenied => Errno.EACCES,
                SocketError.ConnectionRefused => Errno.ECONNREFUSED,
                _ => Errno.ENOENT,
            };
            return new LinuxError(errno, $"connect to the syslog socket {path}");
        }
    }

    /// <summary>Sends one line (notice, or warning for a failure). An error when the log refused it.</summary>
    public LinuxError? Send(string message, bool warning = false, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bytes = Encoding.UTF8.GetBytes(Format(message, warning, at ?? DateTimeOffset.Now, _tag, Environment.ProcessId));
        try
        {
            _socket.Send(bytes);
            return null;
        }
        catch (SocketException e)
        {
            return new LinuxError(e.SocketErrorCode == SocketError.NoBufferSpaceAvailable ? Errno.ENOBUFS : Errno.EIO, $"send to the syslog socket {Path}");
        }
    }

    /// <summary>
    /// The datagram glibc's syslog(3) would send: <c>&lt;PRI&gt;Mmm dd hh:mm:ss TAG[PID]: MESSAGE</c>
    /// (PRI = facility × 8 + severity; the day of month space-padded).
    /// </summary>
    public static string Format(string message, bool warning, DateTimeOffset at, string tag, int pid)
    {
        ArgumentNullException.ThrowIfNull(message);
        int priority = FacilityAuthPriv * 8 + (warning ? SeverityWarning : SeverityNotice);
        string stamp = at.ToString("MMM", CultureInfo.InvariantCulture) + " " +
            at.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " " +
            at.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        // A newline would end the record early in most collectors.
        string flat = message.Replace('\n', ' ').Replace('\r', ' ');
        return $"<{priority}>{stamp} {tag}[{pid}]: {flat}";
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();
}
