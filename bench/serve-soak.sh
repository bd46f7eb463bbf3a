#!/usr/bin/env bash
# Soak: `teardown serve` on the benchmark population (~160,000 sockets, kept at that size; see
# serve-vs-ss.sh, whose set-up this sources) for DURATION seconds with a snapshot every INTERVAL and a
# light scrape load (one /metrics scrape a second, text and OpenMetrics alternately, and /api/report
# every 30 s). Samples the server's resident memory (/proc/PID/status VmRSS) every 30 s: prints a line
# each and writes them to .build/soak/soak-DATE.csv. Target (issue): RSS under 200 MB after an hour of
# snapshots every 5 s.
#
#   sudo bench/serve-soak.sh [DURATION=3600] [INTERVAL=5s] [WORKERS=6] [SCALE=1.0]
#
# Exit 0 whatever the figures; 3 when root or a tool is missing; 1 when the set-up failed or the
# server died.
source "$(dirname "${BASH_SOURCE[0]}")/serve-vs-ss.sh"

soak_main() {
  set -euo pipefail
  local duration="${1:-3600}" interval="${2:-5s}" workers="${3:-6}" scale="${4:-1.0}"
  local port="${PORT:-4878}" every="${SAMPLE_SECONDS:-30}"
  tdb_init
  tdb_build
  tdb_population "$workers" "$scale"
  tdb_keeper "$scale"
  tdb_settle
  mkdir -p "$root/.build/soak"
  local csv
  csv="$root/.build/soak/soak-$(date -u +%Y%m%dT%H%M%SZ).csv"

  echo "== teardown serve --interval $interval on 127.0.0.1:$port for $duration s; a sample every $every s -> $csv"
  tdb_serve "$port" "$interval"
  tdb_wait_ready "$port" 120

  # Light scrape load, in the namespace: 1 scrape/s, alternating formats; the report every 30 s.
  ip netns exec "$ns" bash -c '
    i=0
    while :; do
      if (( i % 2 )); then accept="application/openmetrics-text; version=1.0.0"; else accept="text/plain"; fi
      curl -s -o /dev/null -H "Accept: $accept" --max-time 5 "http://127.0.0.1:$1/metrics" || true
      if (( i % 30 == 0 )); then curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$1/api/report" || true; fi
      i=$((i + 1))
      sleep 1
    done' _ "$port" &
  pids+=($!)

  echo "elapsed_s,rss_mb,hwm_mb,snapshots_ok,snapshots_failed,snapshot_seconds,snapshot_cpu_seconds,sockets,threads,server_cpu_s" >"$csv"
  printf "%9s %8s %8s %10s %8s %10s %10s %8s %8s\n" elapsed "RSS MB" "HWM MB" snapshots failed "snap s" "snap cpu" sockets threads
  local start now elapsed next=0 prom="$work/soak.prom" rss hwm ok failed dur cpu socks threads ticks
  start=$(date +%s)
  while :; do
    now=$(date +%s)
    elapsed=$((now - start))
    if ((elapsed >= next)); then
      kill -0 "$serve_pid" 2>/dev/null || { echo "the server died:"; cat "$work/serve.log"; exit 1; }
      rss=$(tdb_rss_kb "$serve_pid"); hwm=$(tdb_hwm_kb "$serve_pid")
      threads=$(awk '/^Threads:/ {print $2}' "/proc/$serve_pid/status")
      ticks=$(tdb_cpu_ticks "$serve_pid")
      if tdb_get "$port" /metrics >"$prom" 2>/dev/null; then
        ok=$(tdb_metric "$prom" teardown_snapshots_total 'result="ok"')
        failed=$(tdb_metric "$prom" teardown_snapshots_total 'result="failed"')
        dur=$(tdb_metric "$prom" teardown_snapshot_duration_seconds)
        cpu=$(tdb_metric "$prom" teardown_snapshot_cpu_seconds)
        socks=$(tdb_metric "$prom" teardown_snapshot_sockets)
      else
        ok=? failed=? dur=? cpu=? socks=?
      fi
      printf "%9s %8.1f %8.1f %10s %8s %10.3f %10.3f %8s %8s\n" "$elapsed" "$(echo "scale=1; $rss / 1024" | bc)" \
        "$(echo "scale=1; $hwm / 1024" | bc)" "$ok" "$failed" "${dur/\?/0}" "${cpu/\?/0}" "$socks" "$threads"
      echo "$elapsed,$(echo "scale=1; $rss / 1024" | bc),$(echo "scale=1; $hwm / 1024" | bc),$ok,$failed,$dur,$cpu,$socks,$threads,$(echo "scale=2; $ticks / 100" | bc)" >>"$csv"
      next=$((next + every))
    fi
    ((elapsed >= duration)) && break
    sleep 1
  done

  python3 - "$csv" "$duration" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rss = [float(r["rss_mb"]) for r in rows]
first_q = rss[: max(1, len(rss) // 4)]
last_q = rss[-max(1, len(rss) // 4):]
print(f"\nsamples: {len(rows)}   RSS first {rss[0]:.1f} MB, max {max(rss):.1f} MB, last {rss[-1]:.1f} MB, peak (VmHWM) {float(rows[-1]['hwm_mb']):.1f} MB")
print(f"mean RSS first quarter {sum(first_q) / len(first_q):.1f} MB, last quarter {sum(last_q) / len(last_q):.1f} MB (growth {sum(last_q) / len(last_q) - sum(first_q) / len(first_q):+.1f} MB)")
try:
    ok = int(float(rows[-1]["snapshots_ok"])) - int(float(rows[0]["snapshots_ok"]))
    cpu = float(rows[-1]["server_cpu_s"]) - float(rows[0]["server_cpu_s"])
    print(f"snapshots in the window: {ok}, failed at the end: {rows[-1]['snapshots_failed']}; server CPU {cpu:.0f} s "
          f"({cpu / ok:.3f} s per snapshot, scrapes and idle included)")
except (ValueError, ZeroDivisionError):
    pass
print(f"target RSS < 200 MB after {int(sys.argv[2])} s: max {max(rss):.1f} MB, last {rss[-1]:.1f} MB  "
      f"{'PASS' if max(rss) < 200 else 'MISS'}")
print(f"csv: {sys.argv[1]}")
PY
  if [[ $(wc -l <"$work/serve.log") -gt 1 ]]; then echo "server stderr:"; sed 's/^/   /' "$work/serve.log"; fi
  return 0
}

soak_main "$@"
