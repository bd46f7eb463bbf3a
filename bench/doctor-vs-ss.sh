#!/usr/bin/env bash
# Side-by-side: ss -tan, ss -tanp and ./teardown doctor (--json, the human tables, --brief) on the same large population of
# stuck TCP sockets, built by bench/Teardown.PopulationGen in a private network namespace.
# Reports wall time and peak RSS (/usr/bin/time -v) as ratios, and checks the doctor's counts per
# class against what the generator built. Needs root; touches nothing outside the namespace.
#
#   sudo bench/doctor-vs-ss.sh [WORKERS=6] [SCALE=1.0] [RUNS=3]
set -euo pipefail
workers="${1:-6}"
scale="${2:-1.0}"
runs="${3:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ns="tdbench-$$"
work="$(mktemp -d /tmp/tdbench.XXXXXX)"
pids=()

if [[ $EUID -ne 0 ]]; then echo "doctor-vs-ss: needs root (ip netns add)" >&2; exit 3; fi
for tool in ss /usr/bin/time ip python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "doctor-vs-ss: $tool is missing" >&2; exit 3; }
done

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  exec 9>&- 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== building (Release)"
"$root/teardown" --version >/dev/null 2>&1 || "$root/teardown" --help >/dev/null
dotnet build "$root/bench/Teardown.PopulationGen" -c Release -o "$root/.build/popgen" --nologo -v quiet >/dev/null
cli="$root/.build/cli/teardown.dll"

echo "== namespace $ns: loopback up, ip_local_port_range 5000 65000 (namespace-local)"
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" sh -c 'echo "5000 65000" > /proc/sys/net/ipv4/ip_local_port_range'

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

# Everything below runs inside the namespace, in one shell, so each tool pays the same costs.
echo "== measuring ($runs runs each, alternating)"
ip netns exec "$ns" bash -c '
  set -e
  cd "$2"
  for ((r = 0; r < $3; r++)); do
    /usr/bin/time -v -o "$1/ss-tan.$r"  ss -tan  >/dev/null
    /usr/bin/time -v -o "$1/ss-tanp.$r" ss -tanp >/dev/null
    /usr/bin/time -v -o "$1/doctor.$r"  ./teardown doctor --json >"$1/doctor.$r.json" || [[ $? -le 1 ]]
    TEARDOWN_OWNERS=proc /usr/bin/time -v -o "$1/doctor-proc.$r" ./teardown doctor --json >/dev/null || [[ $? -le 1 ]]
    /usr/bin/time -v -o "$1/doctor-dll.$r" dotnet "$4" doctor --json >/dev/null || [[ $? -le 1 ]]
    # The human outputs, to a pipe (80 columns) as a pager or a file gets them: rendering must cost little next to reading.
    /usr/bin/time -v -o "$1/doctor-human.$r" ./teardown doctor >/dev/null || [[ $? -le 1 ]]
    /usr/bin/time -v -o "$1/doctor-brief.$r" ./teardown doctor --brief >/dev/null || [[ $? -le 1 ]]
  done
  ss -tan | awk "NR>1 {n[\$1]++} END {for (s in n) print s, n[s]}" | sort >"$1/ss-states.txt"
  # Where the doctor'"'"'s time goes: its own stage timer (start-up, read = sockets ∥ owners, analysis).
  for ((r = 0; r < 3; r++)); do TEARDOWN_TIMING=1 dotnet "$4" doctor --json 2>>"$1/timing.txt" >/dev/null || true; done
' _ "$work" "$root" "$runs" "$cli"

python3 - "$work" "$workers" "$runs" <<'PY'
import json, re, statistics, sys, glob, os
work, workers, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def parse(path):
    text = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", text)
    wall = (int(m.group(1) or 0) * 3600) + int(m.group(2)) * 60 + float(m.group(3))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    return wall, rss

def tool(name):
    samples = [parse(f"{work}/{name}.{r}") for r in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples), [s[0] for s in samples]

expected, descriptors = {}, 0
for f in glob.glob(f"{work}/ready.*.json"):
    m = json.load(open(f))
    descriptors += m["descriptorsHeld"]
    for k, v in m["classes"].items():
        expected[k] = expected.get(k, 0) + v
report = json.load(open(f"{work}/doctor.{runs - 1}.json"))
ns = report["namespaces"][0]
got = ns["summary"]["byClass"]
total = ns["summary"]["total"]

print(f"\npopulation: {total:,} sockets (listeners included), {descriptors:,} descriptors held by {workers} processes")
print(f"{'tool':<28}{'wall (median)':>14}{'peak RSS':>12}   runs")
rows = {}
for name, label in [("ss-tan", "ss -tan"), ("ss-tanp", "ss -tanp"), ("doctor", "./teardown doctor --json"),
                    ("doctor-proc", "  same, owners from /proc"), ("doctor-dll", "dotnet teardown.dll doctor --json"),
                    ("doctor-human", "./teardown doctor (tables)"), ("doctor-brief", "./teardown doctor --brief")]:
    wall, rss, all_ = tool(name)
    rows[name] = (wall, rss)
    print(f"{label:<28}{wall:>12.3f} s{rss:>9.0f} MB   " + ", ".join(f"{w:.3f}" for w in all_))

d, tan, tanp = rows["doctor"][0], rows["ss-tan"][0], rows["ss-tanp"][0]
print(f"\nratios: ss -tanp / doctor = {tanp / d:.1f}x faster (target >= 5x)   doctor / ss -tan = {d / tan:.2f}x (target <= 2x)"
      f"   doctor peak RSS = {rows['doctor'][1]:.0f} MB (target <= 300 MB)")
print(f"rendering: tables cost {rows['doctor-human'][0] - d:+.3f} s over --json ({rows['doctor-human'][0] / d:.2f}x), "
      f"--brief {rows['doctor-brief'][0] - d:+.3f} s ({rows['doctor-brief'][0] / d:.2f}x)   doctor tables / ss -tan = {rows['doctor-human'][0] / tan:.2f}x")
cost = ns.get("cost", {})
if cost:
    print("inside the doctor (from its JSON): " + ", ".join(f"{k} {v}" for k, v in cost.items()) + f", in-process total {report['elapsedMs']} ms")

print("\nwhere the doctor's time goes (TEARDOWN_TIMING=1, 3 runs):")
for line in open(f"{work}/timing.txt"):
    print("  " + line.rstrip())

print("\nclass counts: doctor vs generator")
ok = True
for k in sorted(set(expected) | set(got)):
    e, g = expected.get(k, 0), got.get(k, 0)
    flag = "ok" if e == g else "MISMATCH"
    ok &= e == g
    print(f"  {k:<30}{g:>9,}{e:>9,}  {flag}")
print("counts:", "all equal" if ok else "DIFFER")
sys.exit(0 if ok else 1)
PY
