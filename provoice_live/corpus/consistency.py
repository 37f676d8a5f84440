"""What a consistent sample is: the one definition the builder, the importers, `validate` and `run` share.

The manifest's field rules (types, ranges, a positive has a cue) live in `sample.Sample`; this module
adds the rules that relate a sample's times to each other and to its audio. `timing_problems` is the
only place they are written; every producer of samples checks its output with it (a sample that
fails is skipped with the reasons, never written), `validate` reports them, and `run` refuses a
corpus that has any (unless `--allow-invalid`).

The rules, with `SLACK_S` of tolerance for rounding:
1. the cue window is inside the audio: it starts before the audio ends and ends by its end;
2. monitoring starts inside the audio (`monitor_from_s` <= duration);
3. the cue does not start before monitoring does (`cue.start_s >= monitor_from_s`): an agent cannot
   be asked to react to what it was not yet told to watch for;
4. every timeline segment fits the audio, and two segments of the same speaker never overlap (a
   person does not talk over themself);
5. when the sample has a timeline, the cue window lies on something heard: it overlaps a speech
   or sound segment, or holds a context update's `at_s` (a conflict that appears with an update);
6. every window of `cues` (long sessions) keeps rules 1 and 5, and every context update's `at_s` is
   inside the audio.

Rules 1, 2 and the audio half of 4 need the audio's duration; without it (`duration_s=None`, as in
`validate --no-audio`) the others are still checked.
"""

from __future__ import annotations

from .sample import Sample

SLACK_S = 0.05


def timing_problems(sample: Sample, duration_s: float | None) -> list[tuple[str, str]]:
    """Every broken timing rule of `sample` as (field, reason) pairs; [] when it is consistent."""
    out: list[tuple[str, str]] = []
    cue = sample.cue
    if duration_s is not None:
        if cue is not None and cue.end_s > duration_s + SLACK_S:
            out.append(("cue.end_s", f"{cue.end_s:.3f} s is past the audio's end ({duration_s:.3f} s)"))
        elif cue is not None and cue.start_s >= duration_s:
            out.append(("cue.start_s", f"{cue.start_s:.3f} s is at or past the audio's end ({duration_s:.3f} s)"))
        if sample.monitor_from_s > duration_s + SLACK_S:
            out.append(("monitor_from_s", f"{sample.monitor_from_s:.3f} s is past the audio's end ({duration_s:.3f} s)"))
    if cue is not None and cue.start_s + SLACK_S < sample.monitor_from_s:
        out.append(("cue.start_s", f"the cue starts ({cue.start_s:.3f} s) before monitoring does "
                                   f"({sample.monitor_from_s:.3f} s)"))
    segments = sample.segments or []
    last_end: dict[str, tuple[int, float]] = {}
    for i, seg in enumerate(segments):
        if duration_s is not None and seg.end_s > duration_s + SLACK_S:
            out.append((f"segments.{i}", f"[{seg.start_s:.3f}, {seg.end_s:.3f}] does not fit the audio ({duration_s:.3f} s)"))
        if seg.end_s < seg.start_s:
            out.append((f"segments.{i}", f"ends ({seg.end_s:.3f} s) before it starts ({seg.start_s:.3f} s)"))
        if seg.kind in ("user1", "user2"):
            prev = last_end.get(seg.kind)
            if prev is not None and seg.start_s + SLACK_S < prev[1]:
                out.append((f"segments.{i}", f"{seg.kind} starts ({seg.start_s:.3f} s) before their previous line "
                                             f"(segments.{prev[0]}) ends ({prev[1]:.3f} s)"))
            if prev is None or seg.end_s > prev[1]:
                last_end[seg.kind] = (i, seg.end_s)
    heard = [s for s in segments if s.kind != "noise"]
    updates = [u.at_s for u in sample.context_updates or []]
    windows = [("cue", cue)] if cue is not None else []
    windows += [(f"cues.{k}", c) for k, c in enumerate(sample.cues or [])]
    for name, w in windows:
        if name != "cue" and duration_s is not None and w.end_s > duration_s + SLACK_S:
            out.append((f"{name}.end_s", f"{w.end_s:.3f} s is past the audio's end ({duration_s:.3f} s)"))
        if heard and not any(s.start_s < w.end_s + SLACK_S and s.end_s > w.start_s - SLACK_S for s in heard) \
                and not any(w.start_s - SLACK_S <= t <= w.end_s + SLACK_S for t in updates):
            out.append((name, f"[{w.start_s:.3f}, {w.end_s:.3f}] overlaps no speech or sound segment"))
    for k, t in enumerate(updates):
        if duration_s is not None and t > duration_s + SLACK_S:
            out.append((f"context_updates.{k}.at_s", f"{t:.3f} s is past the audio's end ({duration_s:.3f} s)"))
    return out
