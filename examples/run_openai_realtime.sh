#!/usr/bin/env bash
# The OpenAI Realtime API in proactive mode: server VAD with create_response/interrupt_response off,
# a decision (response.create) at each of our VAD endpoints, "<silent>" or no_action = stay silent.
#
#   export OPENAI_API_KEY=sk-...          # read from the environment only; never stored in the run
#   examples/run_openai_realtime.sh corpora/demo
#
# It costs money: try --limit 5 first. --clock realtime streams at 1x (the latency you would see
# live); --clock lockstep is cheaper on wall time but the server VAD then sees audio in bursts.
set -euo pipefail
CORPUS=${1:-corpora/demo}
OUT=${2:-runs/openai-realtime}

provoice-live run --corpus "$CORPUS" --out "$OUT" \
  --agent openai-realtime \
  --agent-opt model=gpt-realtime \
  --agent-opt output=text \
  --agent-opt api_key_env=OPENAI_API_KEY \
  --clock realtime --concurrency 4 --protocol blind --limit 5

# the same with spoken replies (audio out, held back until it is not "<silent>"):
#   --agent-opt output=audio --agent-opt voice=marin
# the paper's protocol (task named, JSON answer as text):
#   --protocol paper --agent-opt reply=json
# let the server's own VAD decide when to ask (no engine polls):
#   --agent-opt turns=server

provoice-live score "$OUT"
