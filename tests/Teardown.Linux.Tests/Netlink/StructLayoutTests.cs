using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Teardown.Linux.Netlink;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Netlink;

/// <summary>
/// Checks every C# interop struct against the installed uapi headers: a C program prints
/// sizeof/offsetof for each field whose C# name is the kernel's name, and both sides must agree.
/// </summary>
public sealed class StructLayoutTests
{
    // C# type -> C struct, with C# fields that have no C counterpart in the installed headers.
    private static readonly (Type Type, string CName, string[] NotInHeader)[] Structs =
    [
        (typeof(NlMsgHdr), "struct nlmsghdr", []),
        (typeof(NlMsgErr), "struct nlmsgerr", []),
        (typeof(RtAttr), "struct rtattr", []),
        (typeof(SockaddrNl), "struct sockaddr_nl", []),
        (typeof(InetDiagSockId), "struct inet_diag_sockid", []),
        (typeof(InetDiagReqV2), "struct inet_diag_req_v2", []),
        (typeof(InetDiagReq), "struct inet_diag_req", []),
        (typeof(InetDiagMsg), "struct inet_diag_msg", []),
        // The two bitfield bytes cannot be named by offsetof; the 6.2+/6.7+ tail is newer than the headers.
        (typeof(TcpInfo), "struct tcp_info",
            ["tcpi_snd_rcv_wscale", "tcpi_app_limited_fastopen_fail", "tcpi_rcv_wnd", "tcpi_rehash",
             "tcpi_total_rto", "tcpi_total_rto_recoveries", "tcpi_total_rto_time"]),

        // Raw socket calls (Interop/Libc.Sockets.cs).
        (typeof(Linux.Interop.SockAddrIn), "struct sockaddr_in", []),
        (typeof(Linux.Interop.SockAddrLl), "struct sockaddr_ll", []),
        (typeof(Linux.Interop.PollFd), "struct pollfd", []),
        (typeof(Linux.Interop.Linger), "struct linger", []),

        // Absolute sleeps and real-time scheduling (Interop/Libc.Time.cs).
        (typeof(Linux.Interop.Timespec), "struct timespec", []),
        (typeof(Linux.Interop.SchedParam), "struct sched_param", []),
    ];

    private static readonly (string CExpression, long Value)[] Constants =
    [
        ("SOCK_DIAG_BY_FAMILY", NetlinkConstants.SOCK_DIAG_BY_FAMILY),
        ("SOCK_DESTROY", NetlinkConstants.SOCK_DESTROY),
        ("TCPDIAG_GETSOCK", NetlinkConstants.TCPDIAG_GETSOCK),
        ("NLMSG_DONE", NetlinkConstants.NLMSG_DONE),
        ("NLMSG_ERROR", NetlinkConstants.NLMSG_ERROR),
        ("NLM_F_DUMP", NetlinkConstants.NLM_F_DUMP),
        ("NLM_F_MULTI", NetlinkConstants.NLM_F_MULTI),
        ("NLM_F_DUMP_INTR", NetlinkConstants.NLM_F_DUMP_INTR),
        ("INET_DIAG_INFO", NetlinkConstants.INET_DIAG_INFO),
        ("INET_DIAG_SHUTDOWN", NetlinkConstants.INET_DIAG_SHUTDOWN),
        ("INET_DIAG_SKMEMINFO", NetlinkConstants.INET_DIAG_SKMEMINFO),
        ("INET_DIAG_CGROUP_ID", NetlinkConstants.INET_DIAG_CGROUP_ID),
        ("INET_DIAG_NOCOOKIE", NetlinkConstants.INET_DIAG_NOCOOKIE),
        ("NETLINK_SOCK_DIAG", Linux.Interop.LinuxConstants.NETLINK_SOCK_DIAG),
        ("SOCK_CLOEXEC", Linux.Interop.LinuxConstants.SOCK_CLOEXEC),
        ("CLONE_NEWNET", Linux.Interop.LinuxConstants.CLONE_NEWNET),
        ("SIOCSIFFLAGS", (long)Linux.Interop.LinuxConstants.SIOCSIFFLAGS),
        ("AF_INET", Linux.Interop.LinuxConstants.AF_INET),
        ("AF_PACKET", Linux.Interop.LinuxConstants.AF_PACKET),
        ("SOCK_STREAM", Linux.Interop.LinuxConstants.SOCK_STREAM),
        ("SOCK_DGRAM", Linux.Interop.LinuxConstants.SOCK_DGRAM),
        ("SOCK_NONBLOCK", Linux.Interop.LinuxConstants.SOCK_NONBLOCK),
        ("MSG_DONTWAIT", Linux.Interop.LinuxConstants.MSG_DONTWAIT),
        ("MSG_NOSIGNAL", Linux.Interop.LinuxConstants.MSG_NOSIGNAL),
        ("IPPROTO_TCP", Linux.Interop.LinuxConstants.IPPROTO_TCP),
        ("TCP_KEEPIDLE", Linux.Interop.LinuxConstants.TCP_KEEPIDLE),
        ("TCP_KEEPINTVL", Linux.Interop.LinuxConstants.TCP_KEEPINTVL),
        ("TCP_KEEPCNT", Linux.Interop.LinuxConstants.TCP_KEEPCNT),
        ("TCP_LINGER2", Linux.Interop.LinuxConstants.TCP_LINGER2),
        ("TCP_INFO", Linux.Interop.LinuxConstants.TCP_INFO),
        ("TCP_USER_TIMEOUT", Linux.Interop.LinuxConstants.TCP_USER_TIMEOUT),
        ("SOL_SOCKET", Linux.Interop.LinuxConstants.SOL_SOCKET),
        ("SO_ERROR", Linux.Interop.LinuxConstants.SO_ERROR),
        ("SO_KEEPALIVE", Linux.Interop.LinuxConstants.SO_KEEPALIVE),
        ("SO_LINGER", Linux.Interop.LinuxConstants.SO_LINGER),
        ("O_RDWR", Linux.Interop.LinuxConstants.O_RDWR),
        ("O_NONBLOCK", Linux.Interop.LinuxConstants.O_NONBLOCK),
        ("O_CLOEXEC", Linux.Interop.LinuxConstants.O_CLOEXEC),
        ("SIOCINQ", (long)Linux.Interop.LinuxConstants.SIOCINQ),
        ("SIOCOUTQ", (long)Linux.Interop.LinuxConstants.SIOCOUTQ),
        ("TUNSETIFF", (long)Linux.Interop.LinuxConstants.TUNSETIFF),
        ("IFF_TUN", Linux.Interop.LinuxConstants.IFF_TUN),
        ("IFF_NO_PI", Linux.Interop.LinuxConstants.IFF_NO_PI),
        ("ETH_P_IP", Linux.Interop.LinuxConstants.ETH_P_IP),
        ("PACKET_OUTGOING", Linux.Interop.LinuxConstants.PACKET_OUTGOING),
        ("POLLIN", Linux.Interop.LinuxConstants.POLLIN),
        ("POLLERR", Linux.Interop.LinuxConstants.POLLERR),
        ("POLLHUP", Linux.Interop.LinuxConstants.POLLHUP),
        ("POLLNVAL", Linux.Interop.LinuxConstants.POLLNVAL),
        ("SIGKILL", Linux.Interop.LinuxConstants.SIGKILL),
        ("PRIO_PROCESS", Linux.Interop.LinuxConstants.PRIO_PROCESS),
        ("SCHED_OTHER", Linux.Interop.LinuxConstants.SCHED_OTHER),
        ("SCHED_FIFO", Linux.Interop.LinuxConstants.SCHED_FIFO),
        ("SCHED_RESET_ON_FORK", Linux.Interop.LinuxConstants.SCHED_RESET_ON_FORK),
        ("CLOCK_MONOTONIC", Linux.Interop.LinuxConstants.CLOCK_MONOTONIC),
        ("TIMER_ABSTIME", Linux.Interop.LinuxConstants.TIMER_ABSTIME),
        ("EINTR", Linux.Interop.LinuxConstants.EINTR),
        ("sizeof(struct ifreq)", 40),
        ("NS_GET_NSTYPE", (long)Linux.Interop.LinuxConstants.NS_GET_NSTYPE),
        ("AT_EMPTY_PATH", Linux.Interop.LinuxConstants.AT_EMPTY_PATH),
        ("STATX_INO", Linux.Interop.LinuxConstants.STATX_INO),
        ("sizeof(struct statx)", Linux.Interop.LinuxConstants.StatxSize),
        ("offsetof(struct statx, stx_ino)", Linux.Interop.LinuxConstants.StatxInoOffset),
        ("offsetof(struct dirent64, d_reclen)", Linux.Interop.LinuxConstants.DirentReclenOffset),
        ("offsetof(struct dirent64, d_name)", Linux.Interop.LinuxConstants.DirentNameOffset),

        // pidfd_open / pidfd_getfd (Processes/Pidfd.cs)
        ("__NR_pidfd_open", Linux.Processes.Pidfd.PidfdOpenNumber),
        ("__NR_pidfd_getfd", Linux.Processes.Pidfd.PidfdGetfdNumber),

        // bpf(2) as the task_file iterator uses it (Bpf/BpfSyscall.cs)
        ("BPF_PROG_LOAD", Linux.Bpf.BpfSyscall.BPF_PROG_LOAD),
        ("BPF_LINK_CREATE", Linux.Bpf.BpfSyscall.BPF_LINK_CREATE),
        ("BPF_ITER_CREATE", Linux.Bpf.BpfSyscall.BPF_ITER_CREATE),
        ("BPF_PROG_TYPE_TRACING", Linux.Bpf.BpfSyscall.BPF_PROG_TYPE_TRACING),
        ("BPF_TRACE_ITER", Linux.Bpf.BpfSyscall.BPF_TRACE_ITER),
        ("BPF_FUNC_seq_write", Linux.Bpf.BpfSyscall.BPF_FUNC_seq_write),
        ("sizeof(struct bpf_insn)", System.Runtime.CompilerServices.Unsafe.SizeOf<Linux.Bpf.BpfInstruction>()),
        ("offsetof(union bpf_attr, prog_type)", Linux.Bpf.BpfSyscall.ProgTypeOffset),
        ("offsetof(union bpf_attr, insn_cnt)", Linux.Bpf.BpfSyscall.InsnCntOffset),
        ("offsetof(union bpf_attr, insns)", Linux.Bpf.BpfSyscall.InsnsOffset),
        ("offsetof(union bpf_attr, license)", Linux.Bpf.BpfSyscall.LicenseOffset),
        ("offsetof(union bpf_attr, log_level)", Linux.Bpf.BpfSyscall.LogLevelOffset),
        ("offsetof(union bpf_attr, log_size)", Linux.Bpf.BpfSyscall.LogSizeOffset),
        ("offsetof(union bpf_attr, log_buf)", Linux.Bpf.BpfSyscall.LogBufOffset),
        ("offsetof(union bpf_attr, prog_name)", Linux.Bpf.BpfSyscall.ProgNameOffset),
        ("offsetof(union bpf_attr, expected_attach_type)", Linux.Bpf.BpfSyscall.ExpectedAttachTypeOffset),
        ("offsetof(union bpf_attr, attach_btf_id)", Linux.Bpf.BpfSyscall.AttachBtfIdOffset),
        ("offsetof(union bpf_attr, link_create.prog_fd)", Linux.Bpf.BpfSyscall.LinkCreateProgFdOffset),
        ("offsetof(union bpf_attr, link_create.attach_type)", Linux.Bpf.BpfSyscall.LinkCreateAttachTypeOffset),
        ("offsetof(union bpf_attr, iter_create.link_fd)", Linux.Bpf.BpfSyscall.IterCreateLinkFdOffset),
    ];

    [SkippableFact]
    public void CSharpLayouts_MatchUapiHeaders()
    {
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        var c = new StringBuilder("""
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/socket.h>
            #include <net/if.h>
            #include <linux/netlink.h>
            #include <linux/rtnetlink.h>
            #include <linux/sock_diag.h>
            #include <linux/inet_diag.h>
            #include <linux/tcp.h>
            #include <sched.h>
            #include <time.h>
            #include <errno.h>
            #include <sys/ioctl.h>
            #include <sys/stat.h>
            #include <fcntl.h>
            #include <dirent.h>
            #include <linux/nsfs.h>
            #include <linux/bpf.h>
            #include <netinet/in.h>
            #include <linux/if_packet.h>
            #include <linux/if_ether.h>
            #include <linux/if_tun.h>
            #include <poll.h>
            #include <signal.h>
            #include <sys/resource.h>
            #include <linux/sockios.h>
            #include <sys/syscall.h>
            int main(void) {

            """);
        foreach (var (type, cName, notInHeader) in Structs)
        {
            Emit(c, expected, $"sizeof({cName})", $"sizeof({cName})", type == typeof(TcpInfo) ? TcpInfo.SizeThroughSndWnd : Marshal.SizeOf(type));
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                if (notInHeader.Contains(field.Name))
                {
                    continue;
                }

                Emit(c, expected, $"{cName}.{field.Name}", $"offsetof({cName}, {field.Name})", Marshal.OffsetOf(type, field.Name).ToInt64());
            }
        }

        foreach (var (expression, value) in Constants)
        {
            Emit(c, expected, expression, $"(long long)({expression})", value);
        }

        c.AppendLine("return 0; }");

        var lines = CProgram.CompileAndRun(c.ToString(), out string? skipReason);
        Skip.If(lines is null, skipReason);

        var actual = lines!.Select(line => line.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
        var mismatches = expected.Where(e => actual[e.Key] != e.Value)
            .Select(e => $"{e.Key}: C# {e.Value}, C {actual[e.Key]}").ToList();
        Assert.Empty(mismatches);
        Assert.Equal(expected.Count, actual.Count);
    }

    [Fact]
    public void TcpInfoTail_FollowsSndWnd_AtKernelOffsets()
    {
        // Linux 6.2 appended tcpi_rcv_wnd and tcpi_rehash, 6.7 the total_rto trio, right after tcpi_snd_wnd.
        Assert.Equal(232, Marshal.OffsetOf<TcpInfo>(nameof(TcpInfo.tcpi_rcv_wnd)).ToInt32());
        Assert.Equal(236, Marshal.OffsetOf<TcpInfo>(nameof(TcpInfo.tcpi_rehash)).ToInt32());
        Assert.Equal(240, Marshal.OffsetOf<TcpInfo>(nameof(TcpInfo.tcpi_total_rto)).ToInt32());
        Assert.Equal(244, Marshal.OffsetOf<TcpInfo>(nameof(TcpInfo.tcpi_total_rto_time)).ToInt32());
        Assert.Equal(248, Marshal.SizeOf<TcpInfo>());
    }

    private static void Emit(StringBuilder c, Dictionary<string, long> expected, string key, string expression, long value)
    {
        expected[key] = value;
        c.Append(CultureInfo.InvariantCulture, $"printf(\"%s=%lld\\n\", \"{key}\", (long long)({expression}));\n");
    }
}
