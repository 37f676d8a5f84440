"""`build-corpus --executor ray`: render samples as Ray tasks, write them on the driver.

Each task renders one scene with the builder's own `render_one` into a scratch directory on its
node and sends back every file it made (the wav, the sample's record); the driver writes them into
the corpus directory, the record last (a sample is finished when its record exists beside its
wav, as in a local build), and the builder writes the manifest, `skipped.jsonl` and `build.json`
in one place as always. The bytes are the ones `render_one` wrote, so the same seed gives the same
corpus whatever the executor. A task whose worker dies is retried by Ray (it only wrote scratch
files).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

from . import connect, disconnect, ray_module, worker_runtime_env

_REMOTE: dict[str, Any] = {}


def render_in_scratch(scene_json: str, seed: int, config) -> dict[str, Any]:
    """Runs on a worker: `render_one` into a scratch dir; its result plus `files` {relative path: bytes}."""
    from ..corpus.builder.pipeline import AUDIO, PARTS, render_one

    scratch = Path(tempfile.mkdtemp(prefix="provoice-render-"))
    try:
        (scratch / AUDIO).mkdir()
        (scratch / PARTS).mkdir()
        res = render_one(str(scratch), scene_json, seed, config)
        res["files"] = {p.relative_to(scratch).as_posix(): p.read_bytes()
                        for p in sorted(scratch.rglob("*")) if p.is_file()}
        return res
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write_rendered(out: Path, files: dict[str, bytes], record_rel: str) -> None:
    """Write a rendered sample's files atomically, its record last."""
    for rel in sorted(files, key=lambda r: r == record_rel):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(files[rel])
        os.replace(tmp, path)


def ray_renderer(address: str | None):
    """A renderer for `pipeline.build(renderer=...)` that runs on the Ray cluster at `address`.

    `workers` (`--workers N`) caps the tasks at once: 2 per worker; 0 means the cluster's CPUs; each task takes one CPU.
    """

    def render_all(out: Path, scenes: list, seeds: dict[str, int], config, workers: int) -> Iterator[dict]:
        from ..corpus.builder.pipeline import PARTS
        from . import cluster_cpus

        ray = ray_module()
        connected = connect(address)
        try:
            if "render" not in _REMOTE:
                _REMOTE["render"] = ray.remote(num_cpus=1)(render_in_scratch)
            remote = _REMOTE["render"].options(runtime_env=worker_runtime_env())
            cap = 2 * (workers if workers and workers > 0 else cluster_cpus())
            queue = iter(scenes)
            running: list = []
            while True:
                for scene in queue:
                    running.append(remote.remote(scene.model_dump_json(exclude_none=True), seeds[scene.id],
                                                 config))
                    if len(running) >= cap:
                        break
                if not running:
                    return
                done, running = ray.wait(running, num_returns=1)
                res = ray.get(done[0])
                files = res.pop("files")
                if res["status"] == "ok":
                    write_rendered(Path(out), files, f"{PARTS}/{res['id']}.json")
                yield res
        finally:
            disconnect(connected)

    return render_all
