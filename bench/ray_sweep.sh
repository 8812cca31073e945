#!/usr/bin/env bash
# A real two-node Ray cluster on this machine (Ray 2.60.0 from PyPI in .build/ray-venv), running
# notebooks/sweep_prompts.loupe in shards through `loupe submit` (Ray's Jobs API), checking:
#   1. 8 shards merged = the single-machine run, byte for byte (tables, tensors, figures);
#   2. the w2 node's raylet killed with SIGKILL mid-sweep: the sweep finishes, the merge is identical;
#   3. 3 of 8 shards deleted: a rerun runs only those 3, the merge is identical;
#   4. a deterministic error runs once and is reported with its shard;
# and prints the bench row (single machine vs 8 shards on the cluster, merge alone).
# `bench/ray_sweep.sh [n_prompts]` (default 64; RUNS=5 timed runs; about 5–8 minutes on 2 cores); `make test`
# runs the checks without the timed runs (RUNS=0, RayClusterTests).
set -euo pipefail
cd "$(dirname "$0")/.."
N_PROMPTS=${1:-64}
RUNS=${RUNS:-5}
LOUPE=${LOUPE:-$PWD/.build/release/loupe}
[ -x "$LOUPE" ] || LOUPE=$PWD/.build/debug/loupe
VENV=.build/ray-venv
if [ ! -x "$VENV/bin/ray" ]; then
    python3 -m venv "$VENV"
    if ! "$VENV/bin/pip" install -q "ray[default]==2.60.0" > "$VENV.pip.log" 2>&1; then
        cat "$VENV.pip.log"
        if grep -qE "NewConnectionError|Temporary failure in name resolution|Network is unreachable|Could not fetch URL" "$VENV.pip.log"; then
            rm -rf "$VENV"; echo "SKIP: PyPI cannot be reached, so Ray 2.60.0 cannot be installed"; exit 0
        fi
        rm -rf "$VENV"; echo "FAIL: pip install ray[default]==2.60.0"; exit 1
    fi
fi
export RAY_USAGE_STATS_ENABLED=0 PATH="$PWD/$VENV/bin:$PATH"
if ray status >/dev/null 2>&1; then echo "a Ray cluster is already running here; refusing to start another"; exit 1; fi
WORK=$(mktemp -d /tmp/loupe-ray-XXXXXX)
trap 'ray stop --force >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
NB=$PWD/notebooks/sweep_prompts.loupe
SLOW=$PWD/Tests/Fixtures/notebook/sweep_slow.loupe
API=http://127.0.0.1:8265
now() { date +%s.%N; }
same() {  # same DIR_A DIR_B: the merged outputs are byte-identical
    for f in sweeps/prompts.csv sweeps/prompts-resid.safetensors sweeps/prompts-entropy.safetensors activations.safetensors; do
        cmp -s "$1/$f" "$2/$f" || { echo "FAIL: $f differs between $1 and $2"; exit 1; }
    done
    diff -q <(ls "$1/figures") <(ls "$2/figures") >/dev/null && for f in "$1"/figures/*; do cmp -s "$f" "$2/figures/$(basename "$f")" || { echo "FAIL: figure $f differs"; exit 1; }; done
}

t0=$(now)
ray start --head --node-ip-address=127.0.0.1 --port=6390 --num-cpus=1 \
  --include-dashboard=true --dashboard-host=127.0.0.1 --dashboard-port=8265 --disable-usage-stats >/dev/null
t1=$(now)
ray start --address=127.0.0.1:6390 --node-ip-address=127.0.0.1 --num-cpus=1 \
  --resources='{"w2":1}' --disable-usage-stats >/dev/null
for _ in $(seq 60); do curl -sf $API/api/version >/dev/null && break; sleep 1; done
echo "cluster up: head $(printf %.1f "$(echo "$t1 - $t0" | bc)") s, both nodes $(printf %.1f "$(echo "$(now) - $t0" | bc)") s"

echo "== single machine (2 threads)"
"$LOUPE" run "$NB" -p n_prompts=$N_PROMPTS --out "$WORK/single" -q

echo "== 1. 8 shards through the Jobs API"
"$LOUPE" submit --ray $API "$NB" --shards 8 -p n_prompts=$N_PROMPTS --out "$WORK/ray" > "$WORK/job1.log"
grep -E "running|node " "$WORK/job1.log"
same "$WORK/single" "$WORK/ray"; echo "identical: tables, tensors, figures"

echo "== 3. resume: delete 3 of 8 shards"
rm -rf "$WORK"/ray/shards/{1,4,6}-of-8 "$WORK/ray/sweeps"
"$LOUPE" submit --ray $API "$NB" --shards 8 -p n_prompts=$N_PROMPTS --out "$WORK/ray" > "$WORK/job3.log"
grep -q "running 3 of 8 shards (5 already complete)" "$WORK/job3.log" || { echo "FAIL: expected 3 shards to run"; cat "$WORK/job3.log"; exit 1; }
[ "$(grep -c '^shard .* done on' "$WORK/job3.log")" = 3 ] || { echo "FAIL: not exactly 3 shard tasks"; exit 1; }
same "$WORK/single" "$WORK/ray"; echo "only 3 ran; identical"

echo "== 2. kill the w2 node's raylet (SIGKILL) while a shard runs there"
"$LOUPE" submit --ray $API "$NB" --shards 8 -p n_prompts=$N_PROMPTS --out "$WORK/kill" --no-wait > "$WORK/kill.id"
raylet=""
on_w2() {  # a loupe shard process whose ancestors include the w2 node's raylet
    for pid in $(pgrep -f "loupe run .*--out $WORK/kill" || true); do
        p=$pid
        while [ "$p" -gt 1 ]; do [ "$p" = "$raylet" ] && return 0; p=$(awk '{print $4}' /proc/$p/stat 2>/dev/null || echo 1); done
    done
    return 1
}
for _ in $(seq 300); do
    raylet=$(pgrep -f 'raylet.*w2' | head -1 || true)
    [ -n "$raylet" ] && on_w2 && break
    sleep 0.1
done
on_w2 || { echo "FAIL: no shard ran on w2"; exit 1; }
kill -9 "$raylet"; echo "killed raylet $raylet"
id=$(cat "$WORK/kill.id")
for _ in $(seq 600); do
    status=$(curl -sf $API/api/jobs/$id | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    case $status in SUCCEEDED|FAILED|STOPPED) break;; esac; sleep 1
done
curl -sf $API/api/jobs/$id/logs | python3 -c 'import json,sys; print(json.load(sys.stdin)["logs"])' > "$WORK/kill.log"
[ "$status" = SUCCEEDED ] || { echo "FAIL: job $status"; cat "$WORK/kill.log"; exit 1; }
grep -E "FAILED|done on" "$WORK/kill.log" | sed 's/^/  /'
for d in "$WORK"/kill/shards/*-of-8; do [ -f "$d/manifest.json" ] || { echo "FAIL: $d is half-written"; exit 1; }; done
# The killed node's loupe keeps running and publishes the same shard as its retry did: it either
# renames first or finds identical files (and exits 0); a differing copy would make it exit 1.
for _ in $(seq 300); do pgrep -f "loupe run .*--out $WORK/kill" >/dev/null || break; sleep 0.2; done
! ls -a "$WORK/kill/shards" | grep -q '\.tmp-' || { echo "FAIL: a temporary shard folder was left behind"; exit 1; }
"$LOUPE" merge "$WORK/kill" -q
same "$WORK/single" "$WORK/kill"; echo "sweep finished after the node died; identical"

echo "== 4. a deterministic error runs once"
set +e
"$LOUPE" submit --ray $API "$SLOW" --shards 2 -p n=6 -p fail_at=4 --out "$WORK/bad" > "$WORK/bad.log" 2>&1
rc=$?
set -e
[ $rc -ne 0 ] && grep -q "shard 1-of-2 .*deterministic error (not retried)" "$WORK/bad.log" \
    || { echo "FAIL: expected a deterministic failure of shard 1-of-2"; cat "$WORK/bad.log"; exit 1; }
grep -q "item 4 is bad" "$WORK/bad.log" && echo "reported with its shard: $(grep -m1 'shard 1-of-2 FAILED' "$WORK/bad.log" | cut -c1-100)"

if [ "$RUNS" -eq 0 ]; then echo "ALL PASSED"; exit 0; fi
echo "== bench ($N_PROMPTS prompts; single machine 2 threads vs 8 shards on 2 nodes of 1 CPU, merge included; $RUNS runs)"
ray start --address=127.0.0.1:6390 --node-ip-address=127.0.0.1 --num-cpus=1 --resources='{"w2":1}' --disable-usage-stats >/dev/null 2>&1
sleep 3
: > "$WORK/times"
for r in $(seq "$RUNS"); do
    s0=$(now); "$LOUPE" run "$NB" -p n_prompts=$N_PROMPTS --out "$WORK/b-single-$r" -q 2>/dev/null; s1=$(now)
    "$LOUPE" submit --ray $API "$NB" --shards 8 -p n_prompts=$N_PROMPTS --out "$WORK/b-ray-$r" >/dev/null 2>&1; c1=$(now)
    same "$WORK/b-single-$r" "$WORK/b-ray-$r"
    "$LOUPE" merge "$WORK/b-ray-$r" --out "$WORK/b-merge-$r" -q 2>/dev/null; m1=$(now)
    echo "$(echo "$s1 - $s0" | bc) $(echo "$c1 - $s1" | bc) $(echo "$m1 - $c1" | bc)" >> "$WORK/times"
done
python3 - "$WORK/times" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
single, cluster, merge = zip(*rows)
med = statistics.median
spread = lambda xs: f"{min(xs):.1f}–{max(xs):.1f}"
print(f"single {med(single):.1f} s ({spread(single)}) | cluster {med(cluster):.1f} s ({spread(cluster)}), "
      f"{8/med(cluster):.2f} shards/s | overhead {med(cluster)/med(single)-1:+.0%} | merge alone {med(merge):.2f} s ({min(merge):.2f}–{max(merge):.2f})")
PY
echo "ALL PASSED"
