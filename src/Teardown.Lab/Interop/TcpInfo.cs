using System.Runtime.InteropServices;

namespace Teardown.Lab.Interop;

/// <summary>
/// The head of struct tcp_info (include/uapi/linux/tcp.h) up to tcpi_total_retrans; the kernel copies
/// min(len, sizeof) bytes, so reading a prefix is supported ABI.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TcpInfo
{
    public byte State;
    public byte CaState;
    public byte Retransmits;
    public byte Probes;
    public byte Backoff;
    public byte Options;
    public byte WScale;
    public byte Flags;
    public uint Rto;
    public uint Ato;
    public uint SndMss;
    public uint RcvMss;
    public uint Unacked;
    public uint Sacked;
    public uint Lost;
    public uint Retrans;
    public uint Fackets;
    public uint LastDataSent;
    public uint LastAckSent;
    public uint LastDataRecv;
    public uint LastAckRecv;
    public uint Pmtu;
    public uint RcvSsthresh;
    public uint Rtt;
    public uint RttVar;
    public uint SndSsthresh;
    public uint SndCwnd;
    public uint AdvMss;
    public uint Reordering;
    public uint RcvRtt;
    public uint RcvSpace;
    public uint TotalRetrans;
}
