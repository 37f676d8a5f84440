#!/usr/bin/env bash
# A cascade: speech recognition of each utterance, then any OpenAI-compatible text model with tools.
#
# Recognition is local by default (faster-whisper tiny.en, offline). The text model can be a vLLM
# server (`vllm serve Qwen/Qwen3-8B --enable-auto-tool-choice --tool-call-parser hermes
# --reasoning-parser qwen3`), OpenAI, or anything speaking chat completions.
set -euo pipefail
CORPUS=${1:-corpora/demo}

# local recognition, a local vLLM text model, thinking off (probe the endpoint first)
provoice-live probe --agent cascade --agent-opt base_url=http://127.0.0.1:8000/v1 --agent-opt model=Qwen/Qwen3-8B \
  --agent-opt enable_thinking=false
provoice-live run --corpus "$CORPUS" --out runs/cascade-local \
  --agent cascade --agent-opt base_url=http://127.0.0.1:8000/v1 --agent-opt model=Qwen/Qwen3-8B \
  --agent-opt enable_thinking=false --agent-opt asr=local \
  --protocol blind --clock lockstep

# remote recognition and model at OpenAI (OPENAI_API_KEY from the environment)
#   --agent cascade --agent-opt base_url=https://api.openai.com/v1 --agent-opt model=gpt-5-mini \
#   --agent-opt asr=remote --agent-opt asr_model=gpt-4o-mini-transcribe

provoice-live score runs/cascade-local
