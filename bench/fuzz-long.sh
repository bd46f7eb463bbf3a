#!/usr/bin/env bash
# The long differential fuzz campaign (issue 11: at least 10,000 generated scenarios, model against the
# kernel) in slices that never overlap, so that it can be spread over several sittings of an otherwise idle
# machine. Slice k plays COUNT scenarios from seed FIRST + k*STEP (a slice of 1,000 uses ~1,120 seeds: the
# skipped ones take seeds too, so STEP 2,000 leaves room). Every slice's output is kept in
# .build/fuzz-long/slice-SEED.txt and its summary line appended to .build/fuzz-long/summary.tsv; a slice
# already summarised there is not played again, so running the script again resumes the campaign.
#
#   sudo bench/fuzz-long.sh [SLICES=10] [COUNT=1000] [JOBS=6] [FIRST=30000000] [STEP=2000]
#
# BUDGET=65m (environment) ends the current slice after that much wall time (teardown fuzz --budget): its
# summary then counts the scenarios it played, and the next sitting goes on with the next slice.
# MAX_DURATION=20s (environment; default 90s, teardown fuzz's own) caps each generated timeline: shorter timelines
# play ~4 times as many scenarios an hour, but a gap of 30 or 61 s (a timer running out: tcp_fin_timeout,
# TIME_WAIT, keepalive) is then cut to the resolution. Use another FIRST for such a campaign; each slice records it.
# SHRINK_TRIES=0 (environment; default 40) leaves findings unshrunk: a shrink plays up to that many runs alone while
# every other job waits. Shrink a finding later with: teardown fuzz --seed SEED --count 1 --max-duration MAX_DURATION
#
# The CLI is copied once to .build/fuzz-long/cli, so that rebuilding the working tree meanwhile does not
# change the binary under a running campaign. Findings (minimal .scn files) land in .build/fuzz-long/findings.
# Exit 0 when every slice ran without a confirmed divergence, 1 otherwise, 3 without root.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Started in the background by a shell without job control (`nohup bench/fuzz-long.sh &`), the script and
# teardown inherit SIGINT ignored, and then `kill -INT` cannot stop a slice (SIGTERM always can). As
# ./run-tests does: start again with the default disposition (bash cannot reset a signal ignored on entry).
sigign=$(awk '/^SigIgn:/ {print $2}' /proc/$$/status 2>/dev/null)
if [[ -n $sigign && -z ${TEARDOWN_SIGINT_RESET:-} ]] && (( 0x$sigign & 0x2 )) && command -v perl >/dev/null 2>&1; then
  export TEARDOWN_SIGINT_RESET=1
  exec perl -e '$SIG{INT} = "DEFAULT"; exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\n"' -- "$root/bench/fuzz-long.sh" "$@"
fi
slices="${1:-10}" count="${2:-1000}" jobs="${3:-6}" first="${4:-30000000}" step="${5:-2000}"
if [[ $(id -u) != 0 ]]; then
  echo "fuzz-long: needs root (network namespaces, tracefs)" >&2
  exit 3
fi

out="$root/.build/fuzz-long"
mkdir -p "$out/findings"
if [[ ! -x "$out/cli/teardown" ]]; then
  "$root/teardown" --version >/dev/null || exit 1 # builds .build/cli when sources changed
  rm -rf "$out/cli" && cp -r "$root/.build/cli" "$out/cli"
  git -C "$root" rev-parse --short HEAD > "$out/cli/COMMIT" 2>/dev/null || true
fi
summary="$out/summary.tsv"
max_duration="${MAX_DURATION:-90s}" shrink_tries="${SHRINK_TRIES:-40}"
[[ -f $summary ]] || printf 'seed\tcount\tjobs\tmax-duration\tcommit\tstarted\tseconds\tsummary\n' > "$summary"
if ! head -1 "$summary" | grep -q 'max-duration'; then
  echo "fuzz-long: $summary has the older columns (no max-duration); move it aside to start a campaign with this script" >&2
  exit 2
fi

status=0
for ((k = 0; k < slices; k++)); do
  seed=$((first + k * step))
  if grep -q "^$seed	" "$summary"; then
    echo "fuzz-long: slice $seed already done"
    continue
  fi
  started=$(date -u +%FT%TZ)
  t0=$(date +%s)
  echo "fuzz-long: slice $seed ($count scenarios, --jobs $jobs, --max-duration $max_duration) from $started"
  budget=()
  [[ -n ${BUDGET:-} ]] && budget=(--budget "$BUDGET")
  "$out/cli/teardown" fuzz --seed "$seed" --count "$count" --jobs "$jobs" --max-duration "$max_duration" --shrink-tries "$shrink_tries" \
    --out "$out/findings" "${budget[@]}" \
    > "$out/slice-$seed.txt" 2>&1
  code=$?
  line="$(grep -E '^[0-9]+ of [0-9]+ scenarios: model and kernel agree' "$out/slice-$seed.txt" | tail -1)"
  if [[ -z $line ]]; then
    echo "fuzz-long: slice $seed ended (exit $code) without a summary; see $out/slice-$seed.txt" >&2
    status=1
    break
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$seed" "$count" "$jobs" "$max_duration" "$(cat "$out/cli/COMMIT" 2>/dev/null)" "$started" "$(( $(date +%s) - t0 ))" "$line" >> "$summary"
  echo "fuzz-long: $line"
  (( code == 0 )) || status=1
done
exit $status
