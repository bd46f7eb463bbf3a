#!/usr/bin/env bash
# Clearing N stuck connections, side by side in one run, on the same population built afresh for
# each tool in a pair of private network namespaces (a: the leaky server, b: its clients):
#
#  1. release: N CLOSE_WAIT held by a live process in a (tests/.../crowd.c) —
#     `teardown release --pid P --apply` at the default rate (1000/s) and unlimited. ss has no
#     equivalent (it cannot make a process's socket send FIN); its nearest, `ss -K`, destroys (RST).
#  2. kill: N orphaned FIN_WAIT2 in b (the clients closed first) — `teardown kill --class
#     fin-wait2-orphaned --apply` unlimited vs `ss -K state fin-wait-2`.
#
#   sudo bench/release-vs-ss-K.sh [N=10000]
#
# Reports wall seconds and the ratio. teardown's time includes its own snapshot and plan, and each
# socket's re-verification (an exact sock_diag lookup, for release also pidfd_getfd + statx) which
# ss -K does not do. Exit 0 whatever the figures; 3 when root or a tool is missing.
set -euo pipefail
n="${1:-10000}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $EUID -ne 0 ]]; then echo "${0##*/}: needs root (ip netns add)" >&2; exit 3; fi
for tool in ss ip python3 dotnet gcc; do command -v "$tool" >/dev/null || { echo "${0##*/}: $tool is missing" >&2; exit 3; }; done
work="$(mktemp -d /tmp/tdrelease.XXXXXX)"
a="tdrel-a-$$"; b="tdrel-b-$$"
crowd_pid=""
cleanup() {
  [[ -n "$crowd_pid" ]] && kill "$crowd_pid" 2>/dev/null || true
  ip netns del "$a" 2>/dev/null || true
  ip netns del "$b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT

"$root/teardown" --version >/dev/null   # build once, outside the timings
cli=(dotnet "$root/.build/cli/teardown.dll")
gcc -O1 -Wall -o "$work/crowd" "$root/tests/Teardown.Linux.Tests/Support/crowd.c"
ip netns add "$a"; ip netns add "$b"
ip link add va netns "$a" type veth peer name vb netns "$b"
ip -n "$a" addr add 192.0.2.1/24 dev va; ip -n "$b" addr add 192.0.2.2/24 dev vb
for x in "$a:va" "$b:vb"; do ip -n "${x%%:*}" link set "${x##*:}" up; ip -n "${x%%:*}" link set lo up; done
ip netns exec "$b" sysctl -qw net.ipv4.tcp_fin_timeout=600   # keep the orphans for the whole run

populate() { # N clients in b connect to a new crowd in a and close: N CLOSE_WAIT in a, N orphaned FIN_WAIT2 in b
  [[ -n "$crowd_pid" ]] && { kill "$crowd_pid"; wait "$crowd_pid" 2>/dev/null || true; }
  coproc CROWD { exec ip netns exec "$a" "$work/crowd" 192.0.2.1 0; }
  crowd_pid=$CROWD_PID
  read -r port <&"${CROWD[0]}"
  ip netns exec "$b" python3 - "$port" "$n" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = [socket.create_connection(("192.0.2.1", port)) for _ in range(n)]
for s in socks: s.close()
PY
  for _ in $(seq 100); do
    held=$(ip netns exec "$a" ss -Htn state close-wait "( sport = :$port )" | wc -l)
    [[ "$held" -ge "$n" ]] && break; sleep 0.1
  done
  echo "population: $held CLOSE_WAIT held by crowd (pid $crowd_pid) in a, $(ip netns exec "$b" ss -Htn state fin-wait-2 | wc -l) orphaned FIN_WAIT2 in b" >&2
}

timed() { local start end; start=$(date +%s.%N); "$@" >"$work/out" 2>"$work/err" || true; end=$(date +%s.%N); echo "$end - $start" | bc; }
left() { ip netns exec "$1" ss -Htn state "$2" | wc -l; }

populate
t_release_default=$(timed ip netns exec "$a" "${cli[@]}" release --pid "$crowd_pid" --older-than 0s --apply --syslog none --ledger "$work/ledger")
echo "release (1000/s): $(grep -o 'released [0-9]*, killed [0-9]*, skipped [0-9]*, refused [0-9]*' "$work/out"); CLOSE_WAIT left $(left "$a" close-wait)" >&2
populate
t_release_max=$(timed ip netns exec "$a" "${cli[@]}" release --pid "$crowd_pid" --older-than 0s --apply --rate 1000000/s --syslog none --ledger "$work/ledger")
echo "release (unlimited): $(grep -o 'released [0-9]*, killed [0-9]*, skipped [0-9]*, refused [0-9]*' "$work/out"); CLOSE_WAIT left $(left "$a" close-wait)" >&2
populate
t_kill=$(timed ip netns exec "$b" "${cli[@]}" kill --class fin-wait2-orphaned --apply --rate 1000000/s --syslog none --ledger "$work/ledger")
echo "kill (unlimited): $(grep -o 'released [0-9]*, killed [0-9]*, skipped [0-9]*, refused [0-9]*' "$work/out"); FIN_WAIT2 left $(left "$b" fin-wait-2)" >&2
populate
t_ssk=$(timed ip netns exec "$b" ss -K -tn state fin-wait-2)
echo "ss -K: FIN_WAIT2 left $(left "$b" fin-wait-2)" >&2

printf '\n%-52s %8s\n' "clearing $n sockets" "seconds"
printf '%-52s %8.2f\n' "teardown release --apply (default --rate 1000/s)" "$t_release_default"
printf '%-52s %8.2f\n' "teardown release --apply --rate 1000000/s" "$t_release_max"
printf '%-52s %8.2f\n' "teardown kill --apply --rate 1000000/s" "$t_kill"
printf '%-52s %8.2f\n' "ss -K state fin-wait-2 (no dry run, no re-check)" "$t_ssk"
printf '%-52s %8.2f\n' "ratio kill / ss -K" "$(echo "$t_kill / $t_ssk" | bc -l)"
