#!/usr/bin/env python3
"""Captures real-kernel fixtures for the Teardown.Linux parser tests.

Run as root:  unshare -n python3 capture.py kernel-$(uname -r | cut -d. -f1,2)
It builds sockets in known states on loopback inside the fresh namespace, then writes
  inet_diag_v4.bin / inet_diag_v6.bin  raw sock_diag dump replies (all recv() chunks concatenated)
  lookup_found.bin / lookup_enoent.bin  raw replies to an exact lookup (hit, miss)
  proc_net_tcp.txt / proc_net_tcp6.txt, netstat.txt, snmp.txt, sockstat.txt, sockstat6.txt
  manifest.json  what each socket is (ports, state, inode from fstat, Recv-Q), for the tests to check.
This is an independent implementation (Python), so the C# parser is checked against bytes that our
own request code did not produce.
"""
import json, os, socket, struct, sys, time, fcntl

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

# Bring lo up (SIOCSIFFLAGS, IFF_UP).
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ifr = struct.pack("16sh14x", b"lo", 0)
flags = struct.unpack("16sh14x", fcntl.ioctl(s, 0x8913, ifr))[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sh14x", b"lo", flags | 1))
s.close()

manifest = []
held = []

def note(kind, sock, state, rq=None, local=None, remote=None, inode=True):
    l = local or sock.getsockname()
    r = remote or (sock.getpeername() if state != "LISTEN" else None)
    manifest.append({"kind": kind, "family": 10 if ":" in l[0] else 2, "local": [l[0], l[1]],
                     "remote": [r[0], r[1]] if r else None, "state": state,
                     "inode": os.fstat(sock.fileno()).st_ino if inode else 0, "rq": rq})

def zoo(family, host, tag):
    lst = socket.socket(family, socket.SOCK_STREAM); lst.bind((host, 0)); lst.listen(16); held.append(lst)
    note(tag + "listen", lst, "LISTEN")
    def pair():
        c = socket.socket(family, socket.SOCK_STREAM); c.connect(lst.getsockname()); a, _ = lst.accept()
        held.extend([c, a]); return c, a
    c, a = pair(); a.send(b"hello"); time.sleep(0.05)
    note(tag + "established-client", c, "ESTABLISHED", rq=5); note(tag + "established-server", a, "ESTABLISHED", rq=0)
    c, a = pair(); cl = c.getsockname(); cr = c.getpeername(); c.close()
    note(tag + "close-wait", a, "CLOSE_WAIT", rq=1)
    manifest.append({"kind": tag + "orphan-fin-wait2", "family": 10 if family == socket.AF_INET6 else 2,
                     "local": list(cl[:2]), "remote": list(cr[:2]), "state": "FIN_WAIT2", "inode": 0, "rq": 0})
    c, a = pair(); cl = c.getsockname(); cr = c.getpeername(); c.close(); a.recv(1); a.close()
    manifest.append({"kind": tag + "time-wait", "family": 10 if family == socket.AF_INET6 else 2,
                     "local": list(cl[:2]), "remote": list(cr[:2]), "state": "TIME_WAIT", "inode": 0, "rq": 0})
    c, a = pair(); c.shutdown(socket.SHUT_WR)
    time.sleep(0.05)
    note(tag + "half-closed", c, "FIN_WAIT2", rq=0); note(tag + "half-closed-peer", a, "CLOSE_WAIT", rq=1)

zoo(socket.AF_INET, "127.0.0.1", "v4-")
zoo(socket.AF_INET6, "::1", "v6-")
# Dual-stack listener reached over IPv4: shows up in tcp6 as ::ffff:127.0.0.1.
dual = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); dual.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
dual.bind(("::", 0)); dual.listen(4); held.append(dual)
c = socket.create_connection(("127.0.0.1", dual.getsockname()[1])); a, _ = dual.accept(); held.extend([c, a])
note("v6-mapped-server", a, "ESTABLISHED", rq=0)
time.sleep(0.2)

def request(nl, seq, msgtype, flags, family, ext, states, sport=0, dport=0, src=b"", dst=b"", cookie=(0xFFFFFFFF, 0xFFFFFFFF)):
    sockid = struct.pack("!HH", sport, dport) + src.ljust(16, b"\0") + dst.ljust(16, b"\0") + struct.pack("=III", 0, *cookie)
    body = struct.pack("=BBBBI", family, 6, ext, 0, states) + sockid
    nl.send(struct.pack("=IHHII", 16 + len(body), msgtype, flags, seq, 0) + body)

def collect(nl, until_done=True):
    data = b""
    while True:
        chunk = nl.recv(1 << 20)
        data += chunk
        off = 0
        while off + 16 <= len(chunk):
            ln, typ = struct.unpack_from("=IH", chunk, off)
            if typ in (2, 3) or not until_done:
                return data
            off += (ln + 3) & ~3

nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)
for fam, name, seq in ((socket.AF_INET, "inet_diag_v4.bin", 1001), (socket.AF_INET6, "inet_diag_v6.bin", 1002)):
    request(nl, seq, 20, 0x301, fam, 0x02 | 0x40, 0x3FFE)
    open(os.path.join(out, name), "wb").write(collect(nl))

hc = next(m for m in manifest if m["kind"] == "v4-half-closed")
a2b = lambda ip: socket.inet_aton(ip)
request(nl, 1003, 20, 0x1, 2, 0x02, 0x3FFE, hc["local"][1], hc["remote"][1], a2b(hc["local"][0]), a2b(hc["remote"][0]))
open(os.path.join(out, "lookup_found.bin"), "wb").write(collect(nl, until_done=False))
request(nl, 1004, 20, 0x1, 2, 0x02, 0x3FFE, 1, 2, a2b("127.0.0.2"), a2b("127.0.0.3"))
open(os.path.join(out, "lookup_enoent.bin"), "wb").write(collect(nl))

for src, dst in (("tcp", "proc_net_tcp.txt"), ("tcp6", "proc_net_tcp6.txt"), ("netstat", "netstat.txt"),
                 ("snmp", "snmp.txt"), ("sockstat", "sockstat.txt"), ("sockstat6", "sockstat6.txt")):
    open(os.path.join(out, dst), "w").write(open("/proc/thread-self/net/" + src).read())
for src, dst in (("limits", "proc_self_limits.txt"), ("cgroup", "proc_self_cgroup.txt")):
    open(os.path.join(out, dst), "w").write(open("/proc/self/" + src).read())
json.dump({"kernel": os.uname().release, "sockets": manifest}, open(os.path.join(out, "manifest.json"), "w"), indent=1)
print("captured", len(manifest), "sockets into", out)
