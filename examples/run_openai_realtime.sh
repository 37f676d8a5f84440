#!/usr/bin/env bash
# The OpenAI Realtime API in proactive mode: no server turn detection; at each of our VAD endpoints
# the audio since the last decision is committed and a decision asked (response.create);
# "<silent>" or no_action = stay silent. Any Realtime model works (gpt-realtime-2.1, gpt-realtime-mini...).
#
#   export OPENAI_API_KEY=sk-...          # read from the environment only; never stored in the run
#   examples/run_openai_realtime.sh corpora/demo
#
# It costs money: try --limit 5 first. --clock realtime streams at 1x (the latency you would see
# live); --clock lockstep is cheaper on wall time but the server VAD then sees audio in bursts.
set -euo pipefail
CORPUS=${1:-corpora/demo}
OUT=${2:-runs/openai-realtime}
MODEL=${MODEL:-gpt-realtime-2}

# one short session first: does the endpoint work with these settings? (non-zero exit if not)
provoice-live probe --agent openai-realtime --agent-opt model="$MODEL" --agent-opt output=text

provoice-live run --corpus "$CORPUS" --out "$OUT" \
  --agent openai-realtime \
  --agent-opt model="$MODEL" \
  --agent-opt output=text \
  --agent-opt api_key_env=OPENAI_API_KEY \
  --clock realtime --concurrency 4 --protocol blind --limit 5

# the same with spoken replies (audio out, held back until it is not "<silent>"):
#   --agent-opt output=audio --agent-opt voice=marin
# the paper's protocol (task named, JSON answer as text):
#   --protocol paper --agent-opt reply=json
# let the server's own VAD decide when to ask (no engine polls; it leaves non-speech sounds out):
#   --agent-opt turns=server

provoice-live score "$OUT"
