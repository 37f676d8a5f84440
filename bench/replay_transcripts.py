"""Replay what the offline agent heard in a run through today's understanding (no audio, no recogniser).

    python bench/replay_transcripts.py --run RUN --corpus CORPUS [--errors] [--ids s0001,s0002]

The hearing does not depend on the understanding (the default settings give the recogniser no
prompt), so the transcripts a run logged are what the agent would hear again. Feeding them to a fresh
`Mind` in stream order gives the decisions the current rules make on real recognition errors in
seconds instead of a run's hour: the loop to develop against noisy hearing on, between full runs.

Whose voice each utterance is, is judged as the agent judges it, from its level in the corpus audio
(`--no-own-voice` for runs made with `own_voice=off`).

Speech tasks only (CFC, LTM, PIC): sound sessions depend on the detector, which is not replayed.
A sample counts as intervened when a decision is said after the sample's `monitor_from_s` (as the
scorer counts interjections): at its utterance's end, or, for what waits for the floor, at the next
pause (`replay`). Prints Recall / FPR / Accuracy per
task for the run as logged and as replayed, and each sample whose outcome changed (--errors: each
wrong one).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path


def heard(log: Path) -> list[tuple[float, float, str]]:
    """(start_s, end_s, text) of every utterance the run's agent logged, in order."""
    out = []
    for line in log.open():
        d = json.loads(line)
        if d.get("kind") == "agent" and d["event"].get("type") == "transcript":
            e = d["event"]
            out.append((float(e.get("start_s", e["end_s"])), float(e["end_s"]), e["text"]))
    return out


def replay(mind, utterances: list[tuple[float, float, str]], pause_s: float,
           levels: list[list[float]] | None = None) -> list[tuple[float, str, object]]:
    """The decisions a fresh Mind makes over the utterances, as (time, text, decision): what is said at
    once is stamped at its utterance's end; what waits for the floor (see `mind.py`) is said at the next
    pause, a gap of `pause_s` or more before the next utterance, or the end of the talk. `levels`: each
    utterance's speech levels, judged as the agent judges whose voice it is (`own_voice.OwnVoice`)."""
    from provoice_live.agents.offline.own_voice import OwnVoice, hear

    voice = OwnVoice() if levels is not None else None
    said = []
    last_end, last_text = None, ""
    for k, (start_s, end_s, text) in enumerate(utterances):
        if last_end is not None and start_s - last_end >= pause_s:
            said += [(last_end + pause_s, last_text, d) for d in mind.pause()]
        d, _learnt = hear(mind, voice, text, levels[k] if levels is not None else [])
        if d is not None:
            said.append((end_s, text, d))
        last_end, last_text = end_s, text
    if last_end is not None:
        said += [(last_end + pause_s, last_text, d) for d in mind.pause()]
    return said


def levels_of(audio: Path, utterances: list[tuple[float, float, str]]) -> list[list[float]]:
    """The speech levels of each logged utterance's span in the sample's audio, window by window (the log keeps
    no word times, so the span is the utterance's, not its words')."""
    from provoice_live.agents.offline.hearing import RATE
    from provoice_live.agents.offline.own_voice import speech_levels_db
    from provoice_live.audio import load_audio

    x, _ = load_audio(audio, target_rate=RATE)
    return [[round(v, 2) for v in speech_levels_db(x[max(0, int(start_s * RATE)): int(end_s * RATE)], RATE)]
            for start_s, end_s, _text in utterances]


def table(rows: dict[str, list[tuple[bool, bool]]]) -> dict[str, tuple[float, float, float, int]]:
    out = {}
    for task, items in sorted(rows.items(), key=lambda kv: (kv[0] == "Overall", kv[0])):
        pos = [said for label, said in items if label]
        neg = [said for label, said in items if not label]
        rec = sum(pos) / len(pos) if pos else float("nan")
        fpr = sum(neg) / len(neg) if neg else float("nan")
        acc = (sum(pos) + len(neg) - sum(neg)) / len(items)
        out[task] = (rec, fpr, acc, len(items))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--ids", help="only these sample ids (comma-separated)")
    ap.add_argument("--errors", action="store_true", help="print every sample the replay gets wrong")
    ap.add_argument("--no-own-voice", action="store_true",
                    help="do not judge whose voice an utterance is (the agent's own_voice=off)")
    ap.add_argument("--pause-s", type=float, default=None,
                    help="the floor's pause (default: the agent's PAUSE_S; 0 for runs made with pause_s=0)")
    args = ap.parse_args()

    from provoice_live.agents.base import SessionContext
    from provoice_live.agents.offline.understanding.mind import Mind
    from provoice_live.corpus.loader import load_corpus, resolve_audio

    from provoice_live.agents.offline.understanding.mind import PAUSE_S

    if args.pause_s is None:
        args.pause_s = PAUSE_S
    corpus = load_corpus(args.corpus)
    run = Path(args.run)
    logged = {json.loads(ln)["id"]: json.loads(ln) for ln in (run / "predictions.jsonl").open()}
    wanted = set(args.ids.split(",")) if args.ids else None
    before: dict[str, list] = defaultdict(list)
    after: dict[str, list] = defaultdict(list)
    changed = []
    for sample in corpus.samples:
        if sample.task == "ESS" or sample.id not in logged or (wanted and sample.id not in wanted):
            continue
        log = run / "sessions" / f"{sample.id}.jsonl"
        if not log.is_file():
            continue
        ctx = SessionContext.for_sample(sample, protocol="blind", digital_context=True)
        mind = Mind(ctx.instruction, ctx.digital_context, list(ctx.tools))
        utterances = heard(log)
        levels = None if args.no_own_voice else levels_of(resolve_audio(Path(args.corpus), sample), utterances)
        said = [(t, text, d) for t, text, d in replay(mind, utterances, args.pause_s, levels)
                if t >= (sample.monitor_from_s or 0.0)]
        was = bool(logged[sample.id]["intervened"])
        now = bool(said)
        for group in (sample.task, "Overall"):
            before[group].append((sample.label, was))
            after[group].append((sample.label, now))
        if was != now or (args.errors and now != sample.label):
            changed.append((sample, was, now, said, log))
    for sample, was, now, said, log in changed:
        mark = "fixed" if now == sample.label else ("broken" if was == sample.label else "wrong")
        print(f"--- {sample.id} {sample.task} label={sample.label} logged={was} replayed={now} [{mark}]")
        if sample.instruction:
            print(f"  request: {sample.instruction}")
        for _start_s, end_s, text in heard(log):
            hit = [d for _e, t, d in said if t == text]
            print(f"  {end_s:6.2f} {text}")
            for d in hit:
                print(f"         -> [{d.rule}] {d.text}")
    b, a = table(before), table(after)
    print(f"{'task':8} {'n':>4}   {'logged rec/fpr/acc':>20}   {'replayed rec/fpr/acc':>20}")
    for task in a:
        (r0, f0, c0, n), (r1, f1, c1, _) = b[task], a[task]
        print(f"{task:8} {n:>4}   {r0:6.3f} {f0:6.3f} {c0:6.3f}   {r1:6.3f} {f1:6.3f} {c1:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
