#!/usr/bin/env bash
# Side by side, in one run, on the benchmark population (bench/Teardown.PopulationGen, ~160,000 TCP
# sockets in a private network namespace): the CPU cost of one snapshot of the long-running
# `teardown serve`, scrape latency under 20 concurrent scrapers, `ss -tan` / `ss -tanp`, and
# node_exporter's tcpstat collector (Debian prometheus-node-exporter) when it is installed.
#
#   sudo bench/serve-vs-ss.sh [WORKERS=6] [SCALE=1.0] [RUNS=5]
#
# Targets (issue): a snapshot costs less CPU than one `ss -tan`; a scrape answers in under 50 ms at the
# 99th percentile. Memory over an hour is bench/serve-soak.sh's (which sources this file for the set-up).
# Exit 0 whatever the figures; 3 when root or a tool is missing; 1 when the set-up failed.
#
# Environment: PORT (teardown, default 4877), NE_PORT (node_exporter, 4100), SCRAPE_SECONDS (20),
# SCRAPERS (20). Ports are below the namespace's ephemeral range (5000-65000) so no generated socket
# can hold them.

# ---------------------------------------------------------------------------------------------------
# Shared set-up (sourced by serve-soak.sh). Same population as doctor-vs-ss.sh, with two differences
# that keep it the same size for as long as a benchmark lasts instead of its first minute:
#  - net.ipv4.tcp_fin_timeout is raised to 4 h in the namespace, so the ~53,000 orphaned FIN_WAIT2
#    sockets do not vanish after 60 s (the doctor still classifies them as orphaned FIN_WAIT2);
#  - a small "TIME_WAIT keeper" (python3, in the namespace) closes ~SCALE*20,000/60 connections per
#    second, client first, so about SCALE*20,000 TIME_WAIT stay present (TIME_WAIT lasts a fixed
#    60 s). Its cost is in its own process, not in the tools measured. tdb_settle waits until the
#    generators' own TIME_WAIT have expired and the keeper's have replaced them.
# ---------------------------------------------------------------------------------------------------

tdb_init() {
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  ns="tdbench-$$"
  work="$(mktemp -d /tmp/tdbench.XXXXXX)"
  pids=()
  cli="$root/.build/cli/teardown.dll"
  if [[ $EUID -ne 0 ]]; then echo "${0##*/}: needs root (ip netns add)" >&2; exit 3; fi
  for tool in ss /usr/bin/time ip python3 dotnet curl bc; do
    command -v "$tool" >/dev/null || { echo "${0##*/}: $tool is missing" >&2; exit 3; }
  done
  trap tdb_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

tdb_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  # Anything still running in the namespace (a load tool interrupted mid-way).
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  exec 9>&- 2>/dev/null || true
  rm -rf "$work"
}

tdb_build() {
  echo "== building (Release)"
  "$root/teardown" --version >/dev/null
  dotnet build "$root/bench/Teardown.PopulationGen" -c Release -o "$root/.build/popgen" --nologo -v quiet >/dev/null
}

# tdb_population WORKERS SCALE
tdb_population() {
  local workers="$1" scale="$2" i t n start
  echo "== namespace $ns: loopback up, ip_local_port_range 5000 65000, tcp_fin_timeout 14400 (namespace-local)"
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" sh -c 'echo "5000 65000" > /proc/sys/net/ipv4/ip_local_port_range; echo 14400 > /proc/sys/net/ipv4/tcp_fin_timeout'
  echo "== generating the population: $workers processes, scale $scale"
  mkfifo "$work/hold"
  exec 9<>"$work/hold"
  start=$(date +%s.%N)
  for ((i = 0; i < workers; i++)); do
    ip netns exec "$ns" dotnet "$root/.build/popgen/popgen.dll" --index "$i" --workers "$workers" --scale "$scale" \
      --ready "$work/ready.$i.json" <"$work/hold" &
    pids+=($!)
  done
  for ((t = 0; t < 600; t++)); do
    n=$(find "$work" -name "ready.*.json" | wc -l)
    [[ $n -eq $workers ]] && break
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "a generator died" >&2; exit 1; }; done
    sleep 0.5
  done
  [[ $(find "$work" -name "ready.*.json" | wc -l) -eq $workers ]] || { echo "generators did not finish" >&2; exit 1; }
  printf "   built in %.1f s\n" "$(echo "$(date +%s.%N) - $start" | bc)"
}

# tdb_keeper SCALE: keeps ~SCALE*20,000 TIME_WAIT sockets present (port 4200 in the namespace).
tdb_keeper() {
  local target
  target=$(python3 -c "print(round(20000 * float('$1')))")
  ip netns exec "$ns" python3 - "$target" 4200 <<'PY' &
import socket, sys, time
target, port = int(sys.argv[1]), int(sys.argv[2])
rate = target / 60.0                      # TIME_WAIT lasts 60 s: this many per second keeps `target` present
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(4096)
due, start = 0.0, time.monotonic()
while True:
    elapsed = time.monotonic() - start
    while due < elapsed * rate:
        c = socket.create_connection(("127.0.0.1", port))
        s, _ = listener.accept()
        c.close()                             # the client closes first: its end turns TIME_WAIT
        s.close()
        due += 1
    time.sleep(0.05)
PY
  pids+=($!)
}

# tdb_settle: the generators' TIME_WAIT expire 60 s after they were made; the keeper's replace them.
tdb_settle() {
  local settle="${SETTLE:-62}"
  echo "== settling $settle s (the generators' TIME_WAIT expire, the keeper's replace them)"
  sleep "$settle"
  echo "   sockets by state now (ss -tan):"
  ip netns exec "$ns" ss -tan | awk 'NR>1 {n[$1]++; t++} END {for (s in n) printf "     %-12s %8d\n", s, n[s]; printf "     %-12s %8d\n", "total", t}' | sort -k2 -nr
}

# tdb_serve PORT INTERVAL [extra args]: starts teardown serve in the namespace; sets serve_pid.
tdb_serve() {
  local port="$1" interval="$2"
  shift 2
  # ip netns exec execs the command in place: $! is the server's own PID.
  ip netns exec "$ns" dotnet "$cli" serve --listen "127.0.0.1:$port" --interval "$interval" "$@" 2>"$work/serve.log" &
  serve_pid=$!
  pids+=("$serve_pid")
}

# tdb_get PORT PATH: GET inside the namespace, body on stdout.
tdb_get() { ip netns exec "$ns" curl -sS --max-time 10 "http://127.0.0.1:$1$2"; }

# tdb_wait_ready PORT SECONDS
tdb_wait_ready() {
  local t
  for ((t = 0; t < $2 * 4; t++)); do
    if [[ "$(ip netns exec "$ns" curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/readyz" 2>/dev/null)" == 200 ]]; then return 0; fi
    kill -0 "$serve_pid" 2>/dev/null || { echo "the server exited:" >&2; cat "$work/serve.log" >&2; return 1; }
    sleep 0.25
  done
  echo "the server was not ready after $2 s:" >&2
  cat "$work/serve.log" >&2
  return 1
}

# tdb_metric FILE NAME [LABELS]: the value of one sample in a scraped exposition.
tdb_metric() {
  local want="$2"
  [[ -n ${3:-} ]] && want="$2{$3}"
  WANT="$want" awk '$1 == ENVIRON["WANT"] {print $2; exit}' "$1"
}

# tdb_cpu_ticks PID: utime + stime (clock ticks) from /proc/PID/stat.
tdb_cpu_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }

# tdb_rss_kb PID / tdb_hwm_kb PID: VmRSS / VmHWM in kB.
tdb_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
tdb_hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# tdb_load_summary: what else the machine is doing (the VM is shared).
tdb_load_summary() {
  echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; busiest processes over 1 s (ours included):"
  top -b -n 2 -d 1 -w 160 2>/dev/null | awk '/^top -/ {frame++} frame == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 >= 5 {printf "     pid %-8s %5s%%  %s\n", $1, $9, $12; if (++n == 6) exit}'
}

# ---------------------------------------------------------------------------------------------------
# The benchmark.
# ---------------------------------------------------------------------------------------------------
main() {
  set -euo pipefail
  local workers="${1:-6}" scale="${2:-1.0}" runs="${3:-5}"
  local port="${PORT:-4877}" ne_port="${NE_PORT:-4100}" scrape_s="${SCRAPE_SECONDS:-20}" scrapers="${SCRAPERS:-20}"
  local ne=/usr/bin/prometheus-node-exporter have_ne=1 have_wrk=1
  tdb_init
  command -v wrk >/dev/null || have_wrk=0
  [[ -x $ne ]] || have_ne=0
  if [[ $have_wrk == 0 ]]; then echo "   wrk is missing (apt-get install wrk): scrape latency from a python3 client instead"; fi
  if [[ $have_ne == 0 ]]; then echo "   $ne is missing (apt-get install prometheus-node-exporter): no node_exporter figures"; fi
  tdb_build
  tdb_population "$workers" "$scale"
  tdb_keeper "$scale"
  tdb_settle
  tdb_load_summary
  local r
  local figures="$work/figures.txt"
  : >"$figures"

  # --- ss, before the server runs (no snapshot competes with it) -----------------------------------
  echo "== ss -tan and ss -tanp, $runs runs each, alternating (CPU = user + sys, /usr/bin/time)"
  for ((r = 0; r < runs; r++)); do
    ip netns exec "$ns" /usr/bin/time -f '%U %S %e %M' -o "$work/ss-tan.$r" ss -tan >/dev/null
    ip netns exec "$ns" /usr/bin/time -f '%U %S %e %M' -o "$work/ss-tanp.$r" ss -tanp >/dev/null
  done
  for ((r = 0; r < runs; r++)); do
    read -r u s e m <"$work/ss-tan.$r";  echo "ss-tan cpu $(echo "$u + $s" | bc) wall $e rss_kb $m" >>"$figures"
    read -r u s e m <"$work/ss-tanp.$r"; echo "ss-tanp cpu $(echo "$u + $s" | bc) wall $e rss_kb $m" >>"$figures"
  done

  # --- node_exporter's tcpstat collector: works per scrape ------------------------------------------
  if [[ $have_ne == 1 ]]; then
    echo "== node_exporter --collector.disable-defaults --collector.tcpstat on 127.0.0.1:$ne_port"
    ip netns exec "$ns" "$ne" --collector.disable-defaults --collector.tcpstat --web.listen-address="127.0.0.1:$ne_port" \
      --log.level=warn 2>"$work/ne.log" &
    local ne_pid=$!
    pids+=("$ne_pid")
    for ((r = 0; r < 40; r++)); do tdb_get "$ne_port" /metrics >"$work/ne.prom" 2>/dev/null && break; sleep 0.25; done
    grep -q '^node_tcp_connection_states' "$work/ne.prom" || { echo "node_exporter gave no node_tcp_connection_states" >&2; cat "$work/ne.log" >&2; exit 1; }
    grep '^node_tcp_connection_states' "$work/ne.prom" | sed 's/^/   /'
    local before after
    for ((r = 0; r < runs; r++)); do
      before=$(tdb_cpu_ticks "$ne_pid")
      local t0; t0=$(date +%s.%N)
      tdb_get "$ne_port" /metrics >/dev/null
      local t1; t1=$(date +%s.%N)
      after=$(tdb_cpu_ticks "$ne_pid")
      echo "ne-scrape cpu $(echo "scale=3; ($after - $before) / 100" | bc) wall $(echo "$t1 - $t0" | bc)" >>"$figures"
    done
    echo "ne-rss_kb $(tdb_rss_kb "$ne_pid")" >>"$figures"
    tdb_scrape_load "$ne_port" ne "$scrape_s" "$scrapers" "$have_wrk" node_tcp_connection_states
    kill "$ne_pid"; wait "$ne_pid" 2>/dev/null || true
  fi

  # --- teardown serve ---------------------------------------------------------------------------------
  echo "== teardown serve --interval 5s on 127.0.0.1:$port (in the namespace)"
  tdb_serve "$port" 5s
  local started; started=$(date +%s.%N)
  tdb_wait_ready "$port" 120
  printf "   ready after %.1f s (first snapshot included)\n" "$(echo "$(date +%s.%N) - $started" | bc)"
  tdb_get "$port" /metrics >"$work/td.prom"
  echo "   snapshot of $(tdb_metric "$work/td.prom" teardown_snapshot_sockets) sockets, $(tdb_metric "$work/td.prom" teardown_snapshot_fds_scanned) descriptors scanned, $(grep '^teardown_snapshot_info' "$work/td.prom")"
  grep '^teardown_sockets_by_state' "$work/td.prom" | awk '$2 > 0' | sed 's/^/   /'

  # Let two more snapshots pass (start-up and JIT are not a steady snapshot's cost).
  tdb_wait_snapshots "$port" 2 >/dev/null

  # (1) /proc/PID/stat across whole intervals with no scraper at all: two scrapes frame the window.
  local n_int=$((runs < 5 ? 5 : runs))
  echo "== server CPU from /proc/$serve_pid/stat over $n_int intervals, no scrapers"
  tdb_wait_snapshots "$port" 1 >/dev/null           # start just after a snapshot was published
  local c0 s0 c1 s1 w0 w1
  c0=$(tdb_cpu_ticks "$serve_pid"); w0=$(date +%s.%N)
  tdb_get "$port" /metrics >"$work/w0.prom"; s0=$(tdb_metric "$work/w0.prom" teardown_snapshots_total 'result="ok"')
  sleep $((n_int * 5))
  sleep 1                                             # the last snapshot of the window is complete
  c1=$(tdb_cpu_ticks "$serve_pid"); w1=$(date +%s.%N)
  tdb_get "$port" /metrics >"$work/w1.prom"; s1=$(tdb_metric "$work/w1.prom" teardown_snapshots_total 'result="ok"')
  echo "proc-window ticks $((c1 - c0)) snapshots $(echo "$s1 - $s0" | bc) seconds $(echo "$w1 - $w0" | bc)" >>"$figures"

  # (2) the server's own figure, per snapshot.
  echo "== server CPU per snapshot from teardown_snapshot_cpu_seconds, $runs snapshots"
  tdb_wait_snapshots "$port" "$runs" >>"$figures"

  # (3) scrapes under load.
  tdb_scrape_load "$port" td "$scrape_s" "$scrapers" "$have_wrk" teardown_sockets_by_state
  tdb_get "$port" /metrics >"$work/td-end.prom"
  echo "td-rss_kb $(tdb_rss_kb "$serve_pid") hwm_kb $(tdb_hwm_kb "$serve_pid") process_working_set_bytes $(tdb_metric "$work/td-end.prom" process_working_set_bytes) process_resident_memory_bytes $(tdb_metric "$work/td-end.prom" process_resident_memory_bytes)" >>"$figures"
  tdb_load_summary

  tdb_report "$figures" "$runs" "$scrapers"
  # The server's stderr (should be the listening line only).
  if [[ $(wc -l <"$work/serve.log") -gt 1 ]]; then echo "server stderr:"; sed 's/^/   /' "$work/serve.log"; fi
  return 0
}

# tdb_wait_snapshots PORT N: waits for N new snapshots; prints "snapshot cpu C duration D sockets S" for each.
tdb_wait_snapshots() {
  local port="$1" want="$2" seen=0 last="" now t
  tdb_get "$port" /metrics >"$work/poll.prom"
  last=$(tdb_metric "$work/poll.prom" teardown_snapshots_total 'result="ok"')
  for ((t = 0; t < want * 60 && seen < want; t++)); do
    sleep 0.5
    tdb_get "$port" /metrics >"$work/poll.prom"
    now=$(tdb_metric "$work/poll.prom" teardown_snapshots_total 'result="ok"')
    if [[ $now != "$last" ]]; then
      last=$now
      seen=$((seen + 1))
      echo "snapshot cpu $(tdb_metric "$work/poll.prom" teardown_snapshot_cpu_seconds) duration $(tdb_metric "$work/poll.prom" teardown_snapshot_duration_seconds) sockets $(tdb_metric "$work/poll.prom" teardown_snapshot_sockets)"
    fi
  done
}

# tdb_scrape_load PORT TAG SECONDS SCRAPERS HAVE_WRK MUST_CONTAIN: closed-loop load on /metrics.
tdb_scrape_load() {
  local port="$1" tag="$2" secs="$3" conns="$4" have_wrk="$5" must="$6" pid
  [[ $tag == td ]] && pid=$serve_pid || pid=$ne_pid
  echo "== $conns concurrent scrapers on $tag /metrics for $secs s"
  local code
  code=$(ip netns exec "$ns" curl -s -o "$work/$tag-check.prom" -w '%{http_code}' "http://127.0.0.1:$port/metrics")
  if [[ $code == 200 ]] && grep -q "^$must" "$work/$tag-check.prom"; then
    echo "$tag-check ok bytes $(wc -c <"$work/$tag-check.prom")" >>"$figures"
  else
    echo "$tag-check FAILED code $code" >>"$figures"
  fi
  local c0 c1
  c0=$(tdb_cpu_ticks "$pid")
  if [[ $have_wrk == 1 ]]; then
    # wrk's own two threads run on the same two cores as the server (and everything else).
    ip netns exec "$ns" wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency "http://127.0.0.1:$port/metrics" >"$work/$tag-wrk.txt" 2>&1 || true
  else
    ip netns exec "$ns" python3 - "$port" "$conns" "$secs" >"$work/$tag-wrk.txt" <<'PY' || true
import http.client, statistics, sys, threading, time
port, conns, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
lat, bad, lock = [], [0], threading.Lock()
end = time.perf_counter() + secs
def run():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.perf_counter() < end:
        t = time.perf_counter(); c.request("GET", "/metrics"); r = c.getresponse(); r.read(); d = time.perf_counter() - t
        with lock:
            lat.append(d)
            if r.status != 200: bad[0] += 1
ts = [threading.Thread(target=run) for _ in range(conns)]
[t.start() for t in ts]; [t.join() for t in ts]
lat.sort(); q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
print("Latency Distribution")
for p in (50, 75, 90, 99): print(f"  {p}%  {q(p / 100):.2f}ms")
print(f"Requests/sec: {len(lat) / secs:.2f}")
if bad[0]: print(f"  Non-2xx or 3xx responses: {bad[0]}")
PY
  fi
  c1=$(tdb_cpu_ticks "$pid")
  echo "$tag-load cpu_s $(echo "scale=2; ($c1 - $c0) / 100" | bc) seconds $secs" >>"$figures"
  sed 's/^/   /' "$work/$tag-wrk.txt"
}

tdb_report() {
  python3 - "$1" "$2" "$3" "$work" <<'PY'
import re, statistics, sys
path, runs, scrapers, work = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = [l.split() for l in open(path)]
def col(tag, key):
    out = []
    for r in rows:
        if r[0] == tag and key in r:
            out.append(float(r[r.index(key) + 1]))
    return out
med = lambda xs: statistics.median(xs) if xs else float("nan")

nan = float("nan")
def wrk(tag):
    try:
        text = open(f"{work}/{tag}-wrk.txt").read()
    except OSError:
        return None
    def ms(v):
        m = re.match(r"([\d.]+)(us|ms|s)", v)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    pct = {int(p): ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return pct, float(rps.group(1)) if rps else float("nan"), int(non2xx.group(1)) if non2xx else 0, errors.group(1) if errors else ""

tan, tanp = col("ss-tan", "cpu"), col("ss-tanp", "cpu")
snap = col("snapshot", "cpu")
snap_wall = col("snapshot", "duration")
socks = col("snapshot", "sockets")
pw = next((r for r in rows if r[0] == "proc-window"), None)
per_snap_proc = float("nan")
if pw:
    ticks, n, secs = float(pw[2]), float(pw[4]), float(pw[6])
    per_snap_proc = ticks / 100 / n if n else float("nan")
ne = col("ne-scrape", "cpu")
ne_wall = col("ne-scrape", "wall")

print("\n================ results ================")
print(f"population: {med(socks):,.0f} sockets per snapshot (median); RUNS={runs}; CPU = user + sys")
print(f"{'what':<52}{'median':>10}   all")
def line(label, xs, unit="s"):
    print(f"{label:<52}{med(xs):>9.3f}{unit}   " + ", ".join(f"{x:.3f}" for x in xs))
line("ss -tan, CPU per run", tan)
line("ss -tanp, CPU per run", tanp)
line("ss -tan, wall per run", col("ss-tan", "wall"))
line("teardown serve, CPU per snapshot (metric)", snap)
line("teardown serve, wall per snapshot (metric)", snap_wall)
if pw:
    print(f"{'teardown serve, CPU per snapshot (/proc/PID/stat)':<52}{per_snap_proc:>9.3f}s   "
          f"{float(pw[2]) / 100:.2f} s CPU / {float(pw[4]):.0f} snapshots in {float(pw[6]):.1f} s, no scrapers")
if ne:
    line("node_exporter tcpstat, CPU per scrape", ne)
    line("node_exporter tcpstat, wall per scrape (curl)", ne_wall)

print("\nratios")
r_snap = med(snap) / med(tan)
print(f"  teardown snapshot CPU (metric) / ss -tan CPU      = {r_snap:.2f}x")
print(f"  teardown snapshot CPU (/proc)  / ss -tan CPU      = {per_snap_proc / med(tan):.2f}x")
print(f"  teardown snapshot CPU (metric) / ss -tanp CPU     = {med(snap) / med(tanp):.2f}x")
if ne:
    print(f"  teardown snapshot CPU (metric) / node_exporter scrape CPU = {med(snap) / med(ne):.2f}x")
    print(f"  node_exporter scrape CPU / ss -tan CPU            = {med(ne) / med(tan):.2f}x")

print(f"\nscrapes: {scrapers} concurrent scrapers, closed loop (each asks again as soon as answered)")
print(f"{'target':<16}{'p50':>11}{'p90':>11}{'p99':>11}{'req/s':>10}{'non-200':>9}{'server CPU':>12}   check")
td_p99 = None
for tag, label in (("td", "teardown"), ("ne", "node_exporter")):
    w = wrk(tag)
    if not w:
        continue
    pct, rps, bad, errors = w
    load = next((r for r in rows if r[0] == f"{tag}-load"), None)
    cpu = f"{float(load[2]) / float(load[4]) * 100:.0f}%" if load else "?"
    check = next((" ".join(r[1:]) for r in rows if r[0] == f"{tag}-check"), "?")
    print(f"{label:<16}{pct.get(50, nan):>9.2f}ms{pct.get(90, nan):>9.2f}ms{pct.get(99, nan):>9.2f}ms{rps:>10.0f}{bad:>9}{cpu:>12}   {check}{'  socket errors: ' + errors if errors else ''}")
    if tag == "td":
        td_p99 = pct.get(99)

mem = next((r for r in rows if r[0] == "td-rss_kb"), None)
if mem:
    print(f"\nteardown serve memory at the end: VmRSS {float(mem[1]) / 1024:.0f} MB, VmHWM {float(mem[3]) / 1024:.0f} MB, "
          f"process_working_set_bytes {float(mem[5]) / 2**20:.0f} MB (as of the last snapshot; "
          f"process_resident_memory_bytes: {float(mem[7]) / 2**20 if len(mem) > 7 else 'not exported'})")
nerss = next((r for r in rows if r[0] == "ne-rss_kb"), None)
if nerss:
    print(f"node_exporter VmRSS after {runs} scrapes: {float(nerss[1]) / 1024:.0f} MB")

print("\ntargets")
print(f"  snapshot CPU < one ss -tan:  {med(snap):.3f} s vs {med(tan):.3f} s  ({r_snap:.2f}x)  {'PASS' if r_snap < 1 else 'MISS'}"
      f"   [/proc figure {per_snap_proc:.3f} s: {'PASS' if per_snap_proc < med(tan) else 'MISS'}]")
if td_p99 is not None:
    print(f"  scrape p99 < 50 ms:          {td_p99:.2f} ms  {'PASS' if td_p99 < 50 else 'MISS'}")
print("  RSS < 200 MB after an hour:  see bench/serve-soak.sh")
PY
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi
