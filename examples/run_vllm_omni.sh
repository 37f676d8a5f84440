#!/usr/bin/env bash
# An omni model served by vLLM (Qwen2.5-Omni, Qwen3-Omni) through chat completions with audio input.
#
# 1. Serve it (on a GPU machine). Native tool calls need the auto tool choice and the parser of the
#    model's tool-call format (hermes for the Qwen family); a thinking model may also get a
#    reasoning parser, so its thinking arrives as `reasoning` (`reasoning_content` on older vLLM; the
#    adapter strips inline <think> blocks either way). Qwen2.5-Omni's template drops the API's tools,
#    so the adapter also writes them into the system prompt (tools_in_prompt). See docs/AGENTS.md.
#
#    vllm serve Qwen/Qwen2.5-Omni-7B --port 8000 \
#        --enable-auto-tool-choice --tool-call-parser hermes \
#        --limit-mm-per-prompt '{"audio": 1}' --max-model-len 32768
#
# 2. Replay the corpus: streamed polling (a decision at each VAD endpoint on the last window_s
#    seconds), then the official way (one call on the whole clip), to see what streaming changes.
set -euo pipefail
CORPUS=${1:-corpora/demo}
URL=${VLLM_URL:-http://127.0.0.1:8000/v1}
MODEL=${MODEL:-Qwen/Qwen2.5-Omni-7B}

provoice-live probe --agent omni-chat --agent-opt base_url="$URL" --agent-opt model="$MODEL"

provoice-live run --corpus "$CORPUS" --out runs/omni-stream \
  --agent omni-chat --agent-opt base_url="$URL" --agent-opt model="$MODEL" \
  --agent-opt mode=stream --agent-opt window_s=30 \
  --protocol paper --clock lockstep --concurrency 4

provoice-live run --corpus "$CORPUS" --out runs/omni-clip \
  --agent omni-chat --agent-opt base_url="$URL" --agent-opt model="$MODEL" \
  --agent-opt mode=clip \
  --protocol paper --clock lockstep --concurrency 4

# Thinking on or off for Qwen3 (sent as chat_template_kwargs):  --agent-opt enable_thinking=true
# A server without --enable-auto-tool-choice: --agent-opt api_tools=false (tools stay in the prompt).
# OpenAI's gpt-audio family: --agent-opt base_url=https://api.openai.com/v1 --agent-opt model=gpt-audio-1.5
#   (or gpt-audio-mini; gpt-4o-audio-preview is shut down)

provoice-live score runs/omni-stream
provoice-live score runs/omni-clip
