"""The offline agent's recognisers compared: word error rate, real-time factor, words invented over sounds.

For each speech segment of a built corpus (the mixture's audio between the segment's bounds, noise
and far-field effects included) each recogniser transcribes it as the agent does (greedy, temperature
0, word timestamps); the word error rate is against the script's words, both normalised the way the
agent reads text (numbers as digits, lower case, no punctuation). For each sound segment it counts
the words the recogniser writes over it, with and without the Silero speech gate (what the agent
would take for talk). RTF = recognition seconds / audio seconds, on this machine (record the load).

"Value words" are what a contradiction check or a watch needs heard right: the reference words that
are numbers or times, or that name something in the sample's digital context (a title, a person, a
place; stop words left out). Their recall is the share of them found in the recogniser's words.

A variant is a recogniser name with options after colons: `prompt` (the agent's context prompt,
`agent.whisper_prompt`: names and values from the app states as Whisper's initial prompt),
`beamN` (beam search of width N; greedy otherwise), e.g. `tiny.en,tiny.en:prompt,base:prompt`.

    python bench/bench_recognisers.py --corpus DIR [--limit 120] [--threads 2] [--recognisers V,V] [--append]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np


def wer_counts(ref: list[str], hyp: list[str]) -> tuple[int, int]:
    """(edits, reference words): word-level Levenshtein distance."""
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
            prev, d[j] = d[j], cur
    return d[len(hyp)], len(ref)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--limit", type=int, default=120, help="speech segments per recogniser (sound segments: all)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--recognisers", default="tiny.en,base")
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args()

    import soundfile as sf

    from provoice_live.agents.base import SessionContext
    from provoice_live.agents.offline.agent import whisper_prompt
    from provoice_live.agents.offline.hearing import SpeechGate
    from provoice_live.agents.offline.understanding.text import analyse, is_content
    from provoice_live.asr import get_model, transcribe

    corpus = Path(args.corpus)
    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines() if line.strip()]
    speech, sounds = [], []
    for r in rows:
        x, rate = sf.read(corpus / r["audio"], dtype="float32")
        for seg in r.get("segments") or []:
            a, b = int(max(0.0, seg["start_s"] - 0.15) * rate), int((seg["end_s"] + 0.1) * rate)
            if seg["kind"] in ("user1", "user2") and seg.get("text"):
                speech.append((x[a:b], rate, seg["text"], r.get("digital_context")))
            elif seg["kind"] == "sound":
                sounds.append((x[a:b], rate, seg.get("label") or ""))
    speech = speech[: args.limit]
    norm = lambda s: [w for w in analyse(s).norm.replace(".", " ").split() if w.isalnum() or "'" in w or ":" in w]
    gate = SpeechGate()

    def context_vocabulary(dc) -> set[str]:
        vocab: set[str] = set()

        def walk(node) -> None:
            if isinstance(node, dict):
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
            elif isinstance(node, str):
                vocab.update(w for w in norm(node) if is_content(w))
        walk((dc or {}).get("app_states") or {})
        return vocab

    def value_words(ref: list[str], vocab: set[str]) -> list[str]:
        return [w for w in ref if any(c.isdigit() for c in w) or w in vocab]

    out = {}
    for variant in args.recognisers.split(","):
        name, *opts = variant.split(":")
        beam = next((int(o[4:]) for o in opts if o.startswith("beam")), 1)
        get_model(args.threads, name)
        transcribe(np.zeros(16000, np.float32), 16000, recogniser=name, temperature=0.0)  # warm up
        edits = words = values = values_heard = 0
        asr_s = cpu_s = audio_s = 0.0
        for x, rate, text, dc in speech:
            prompt = whisper_prompt(SessionContext(session_id="bench", digital_context=dc)) if "prompt" in opts else None
            t0, c0 = time.perf_counter(), time.process_time()
            utts = transcribe(x, rate, temperature=0.0, word_timestamps=True, recogniser=name,
                              initial_prompt=prompt, beam_size=beam)
            asr_s += time.perf_counter() - t0
            cpu_s += time.process_time() - c0
            audio_s += len(x) / rate
            ref, hyp = norm(text), norm(" ".join(u.text for u in utts))
            e, n = wer_counts(ref, hyp)
            edits, words = edits + e, words + n
            wanted = value_words(ref, context_vocabulary(dc))
            values += len(wanted)
            values_heard += sum(1 for w in wanted if w in hyp)
        invented = gated_invented = 0
        gate_s = 0.0
        for x, rate, _label in sounds:
            n = len(norm(" ".join(u.text for u in transcribe(x, rate, temperature=0.0, recogniser=name))))
            invented += n
            t0 = time.perf_counter()
            passed = gate.has_speech(x if rate == 16000 else x)
            gate_s += time.perf_counter() - t0
            gated_invented += n if passed else 0
        name = variant
        out[name] = {"wer": edits / max(words, 1), "value_words": values,
                     "value_recall": values_heard / max(values, 1), "rtf": asr_s / max(audio_s, 1e-9),
                     "cpu_per_audio_s": cpu_s / max(audio_s, 1e-9), "segments": len(speech),
                     "speech_s": round(audio_s, 1), "sound_segments": len(sounds), "words_over_sounds": invented,
                     "words_over_sounds_gated": gated_invented, "gate_ms_per_sound": 1000 * gate_s / max(len(sounds), 1)}
        print(name, json.dumps(out[name]), flush=True)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    if args.append:
        with open(Path(__file__).with_name("RESULTS.md"), "a") as fh:
            fh.write(f"\n### Recognisers on {corpus.name} ({len(speech)} speech segments, {len(sounds)} sounds)\n\n"
                     f"`python bench/bench_recognisers.py --corpus {args.corpus} --limit {args.limit}`; load "
                     f"{load[0]:.2f} (shared machine), {args.threads} threads.\n\n"
                     "| recogniser | WER | value words recovered | RTF (wall) | CPU s per audio s | words written over sounds | the same after the Silero gate |\n"
                     "|---|---|---|---|---|---|---|\n")
            for name, r in out.items():
                fh.write(f"| {name} | {r['wer']:.3f} | {r['value_recall']:.3f} of {r['value_words']} | {r['rtf']:.3f} | {r['cpu_per_audio_s']:.3f} | {r['words_over_sounds']} | "
                         f"{r['words_over_sounds_gated']} |\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
