#!/usr/bin/env bash
# The full paper-preset run on a Ray cluster: build-corpus --preset paper (1,182 samples) and run
# every session through the offline agent under the lockstep clock, then score it.
#
#     bench/run_paper_preset.sh [DIR]         # default DIR: /work/paper-run
#
# On this machine (traffic only to 127.0.0.1) Ray must not see the external address, so the whole
# job runs in a private network + PID namespace with only `lo` (as tests/cluster/ray_cluster.py):
# two nodes started with `ray start` on 127.0.0.1 (NODES, CPUS_PER_NODE), one Ray worker per CPU.
# Killing the namespace's first process (this script, re-executed inside) ends every Ray process.
#
# DIR/corpus      the corpus (kept; a rerun skips the build when DIR/corpus/build.json exists)
# DIR/run         the run directory (a rerun resumes it: same command)
# DIR/score.json, DIR/score.md   the scores (Table 1, Table 2, timing)
# DIR/times.tsv   step, wall s, driver user+sys CPU s, max RSS KB, exit code
# DIR/load.log    every LOAD_EVERY s: the load average and each Ray worker's CPU seconds (ps)
# DIR/job.log     everything the commands printed
#
# Environment: SEED (1), TTS (espeak; neural: the hibari and Piper voices), NODES (2), CPUS_PER_NODE (1), CONCURRENCY (1, sessions per worker),
# TIME_LIMIT (4h, the whole job), LOAD_EVERY (60). The agent's BLAS/ONNX threads are pinned to 1
# (OMP_NUM_THREADS=1) so the predictions do not depend on the machine's core count.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$(realpath -m "${1:-/work/paper-run}")"
SEED="${SEED:-1}"
TTS="${TTS:-espeak}"
NODES="${NODES:-2}"
CPUS_PER_NODE="${CPUS_PER_NODE:-1}"
CONCURRENCY="${CONCURRENCY:-1}"
TIME_LIMIT="${TIME_LIMIT:-4h}"
LOAD_EVERY="${LOAD_EVERY:-60}"
PORT=6379

if [ -z "${PROVOICE_PAPER_INSIDE:-}" ]; then
    mkdir -p "$DIR"
    echo "job log: $DIR/job.log"
    export PROVOICE_PAPER_INSIDE=1
    exec timeout --signal=TERM --kill-after=60 "$TIME_LIMIT" \
        unshare --net --pid --fork --mount-proc --kill-child bash "${BASH_SOURCE[0]}" "$DIR" >>"$DIR/job.log" 2>&1
fi

# --- inside the namespace (this shell is its PID 1) ---------------------------------------------
ip link set lo up
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS=1 RAY_AUTH_MODE=disabled RAY_USAGE_STATS_ENABLED=0 RAY_DEDUP_LOGS=0 HF_HUB_OFFLINE=1
RAY_TMP="/tmp/pvray-paper-$$-$(date +%s)"   # Ray's unix sockets need a short path
ADDRESS="127.0.0.1:$PORT"
PY="$(command -v python)"
CLI=("$PY" -m provoice_live.cli)

stamp() { echo "== $(date -u +%FT%TZ) $*  (load $(cut -d' ' -f1-3 /proc/loadavg))"; }
timed() {  # timed STEP cmd...: wall, CPU and RSS of cmd (not of Ray workers: see load.log)
    local step="$1"; shift
    stamp "start $step: $*"
    local rc=0
    /usr/bin/time -o "$DIR/.time.$step" -f "%e\t%U\t%S\t%M" "$@" || rc=$?
    IFS=$'\t' read -r wall user sys rss < <(tail -n 1 "$DIR/.time.$step") || true
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$step" "$wall" "$(echo "$user + $sys" | bc)" "$rss" "$rc" \
        "$(date -u +%FT%TZ)" >>"$DIR/times.tsv"
    stamp "end $step (rc $rc, wall ${wall:-?} s)"
    return "$rc"
}

cleanup() { ray stop --force >/dev/null 2>&1 || true; rm -rf "$RAY_TMP"; }
trap cleanup EXIT

stamp "paper preset, seed $SEED, tts $TTS, $NODES nodes x $CPUS_PER_NODE CPU, commit $(git -C "$ROOT" rev-parse --short HEAD)"
common=(--num-cpus="$CPUS_PER_NODE" --object-store-memory=$((200 * 1024 * 1024)) --node-ip-address=127.0.0.1
        --disable-usage-stats)
ray start --head --port="$PORT" --include-dashboard=false --temp-dir="$RAY_TMP" "${common[@]}"
for _ in $(seq 2 "$NODES"); do ray start --address="$ADDRESS" "${common[@]}"; done

(   # the load and every Ray worker's CPU time, bounded by the job's time limit
    while true; do
        { echo "# $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
          ps -eo pid=,times=,rss=,args= | awk '$4 ~ /^ray::/ {print}'; } >>"$DIR/load.log"
        sleep "$LOAD_EVERY"
    done
) &

if [ ! -f "$DIR/corpus/build.json" ]; then
    timed build "${CLI[@]}" build-corpus --preset paper --seed "$SEED" --tts "$TTS" --out "$DIR/corpus" --no-progress \
        --executor ray --ray-address "$ADDRESS"
fi
timed validate "${CLI[@]}" validate "$DIR/corpus"
timed run "${CLI[@]}" run --corpus "$DIR/corpus" --out "$DIR/run" --agent offline --clock lockstep \
    --concurrency "$CONCURRENCY" --no-progress --executor ray --ray-address "$ADDRESS"
timed score "${CLI[@]}" score "$DIR/run" --corpus "$DIR/corpus" --json "$DIR/score.json" --markdown "$DIR/score.md"
stamp "done"
