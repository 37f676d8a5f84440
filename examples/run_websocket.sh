#!/usr/bin/env bash
# Your own agent server over the WebSocket protocol (docs/PROTOCOL.md, version 1).
# This starts the reference server (examples/agent_server.py: copy it and put your agent in
# Agent.decide), checks that it conforms, replays a corpus to it and scores the run.
set -euo pipefail
CORPUS=${1:-corpora/demo}
PORT=${PORT:-8765}

python examples/agent_server.py --port "$PORT" --policy speech --reply-delay-ms 150 &
SERVER=$!
trap 'kill $SERVER' EXIT
sleep 1

python -m provoice_live.agents.conformance "ws://127.0.0.1:$PORT"

provoice-live run --corpus "$CORPUS" --out runs/websocket \
  --agent websocket --agent-opt url="ws://127.0.0.1:$PORT" --agent-opt timeout_s=30 \
  --clock realtime --concurrency 4

provoice-live score runs/websocket
