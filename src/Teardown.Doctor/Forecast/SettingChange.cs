using System.Globalization;
using Teardown.Model.Kernel;

namespace Teardown.Doctor.Forecast;

/// <summary>
/// The change a what-if asks about: sysctls for the whole network namespace, and socket options for the
/// sockets of one process (or of every process when <see cref="Pid"/> is null). Parsed and checked here
/// so that the command line and tests share one grammar: <c>KEY=VALUE</c>.
/// </summary>
public sealed record SettingChange
{
    /// <summary>Sysctls as written (<c>net.ipv4.tcp_fin_timeout</c>), with their values.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Sysctls { get; init; } = [];

    /// <summary>Socket options and their values.</summary>
    public IReadOnlyList<KeyValuePair<SocketOption, int>> SocketOptions { get; init; } = [];

    /// <summary>The process whose sockets get <see cref="SocketOptions"/>; null means every process.</summary>
    public int? Pid { get; init; }

    /// <summary>True when nothing would change.</summary>
    public bool IsEmpty => Sysctls.Count == 0 && SocketOptions.Count == 0;

    /// <summary>Settings after the change: a copy of <paramref name="before"/> with the sysctls applied.</summary>
    public KernelSettings Apply(KernelSettings before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var after = before.Clone();
        foreach (var (key, value) in Sysctls)
        {
            if (!after.TryApply(key, value, out string? error)) throw new ArgumentException(error, nameof(before));
        }

        return after;
    }

    /// <summary>Short text of the change, as a user typed it.</summary>
    public string Describe()
    {
        var parts = Sysctls.Select(s => $"{s.Key}={s.Value}")
            .Concat(SocketOptions.Select(o => $"{o.Key.Name()}={o.Value.ToString(CultureInfo.InvariantCulture)}"
                + (Pid is int pid ? $" on pid {pid}" : "")));
        return string.Join(", ", parts);
    }

    /// <summary>Parses one <c>--set KEY=VALUE</c>; the key must be a sysctl the model knows.</summary>
    public static bool TryParseSysctl(string text, out KeyValuePair<string, string> sysctl, out string? error)
    {
        sysctl = default;
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == text.Length - 1)
        {
            error = $"'{text}': expected KEY=VALUE, e.g. net.ipv4.tcp_fin_timeout=10";
            return false;
        }

        string key = text[..eq].Trim(), value = text[(eq + 1)..].Trim();
        if (!key.Contains('.', StringComparison.Ordinal)) key = "net.ipv4." + key;
        if (!new KernelSettings().TryApply(key, value, out error))
        {
            error = $"'{text}': {error}";
            return false;
        }

        if (SysctlRange(key, value) is string range)
        {
            error = $"'{text}': {range}";
            return false;
        }

        sysctl = new(key, value);
        return true;
    }

    /// <summary>Parses one <c>--sockopt NAME=VALUE</c>.</summary>
    public static bool TryParseSocketOption(string text, out KeyValuePair<SocketOption, int> option, out string? error)
    {
        option = default;
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        string name = eq > 0 ? text[..eq].Trim().ToUpperInvariant() : "";
        // The names C code writes (SocketOptionNames.Name); SO_LINGER acts only at close(), which a what-if does not make.
        SocketOption? which = Enum.GetValues<SocketOption>().Where(o => o != SocketOption.SoLinger && o.Name() == name).Cast<SocketOption?>().FirstOrDefault();
        if (which is not SocketOption o)
        {
            error = $"'{text}': expected NAME=VALUE with NAME one of TCP_LINGER2, SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT";
            return false;
        }

        if (!int.TryParse(text[(eq + 1)..].Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            error = $"'{text}': {name} needs an integer";
            return false;
        }

        // The ranges setsockopt accepts (net/ipv4/tcp.c:do_tcp_setsockopt); outside them it returns EINVAL.
        error = o switch
        {
            SocketOption.SoKeepalive when value is not (0 or 1) => "SO_KEEPALIVE is 0 or 1",
            SocketOption.TcpKeepIdle or SocketOption.TcpKeepIntvl when value is < 1 or > 32767 => $"{name} is 1..32767 seconds (setsockopt returns EINVAL otherwise)",
            SocketOption.TcpKeepCnt when value is < 1 or > 127 => "TCP_KEEPCNT is 1..127 (setsockopt returns EINVAL otherwise)",
            SocketOption.TcpUserTimeout when value < 0 => "TCP_USER_TIMEOUT is 0 (off) or more milliseconds",
            _ => null,
        };
        if (error is not null)
        {
            error = $"'{text}': {error}";
            return false;
        }

        option = new(o, value);
        return true;
    }

    // Values the kernel itself refuses (proc_dointvec_minmax bounds in net/ipv4/sysctl_net_ipv4.c).
    private static string? SysctlRange(string key, string value)
    {
        string k = key[(key.LastIndexOf('.') + 1)..];
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) return null;
        return k switch
        {
            "tcp_fin_timeout" when v < 1 => "tcp_fin_timeout must be 1 s or more",
            "tcp_keepalive_time" or "tcp_keepalive_intvl" or "tcp_keepalive_probes" when v < 1 => $"{k} must be 1 or more",
            "tcp_orphan_retries" or "tcp_retries2" or "tcp_max_orphans" or "tcp_max_tw_buckets" when v < 0 => $"{k} cannot be negative",
            _ => null,
        };
    }
}
