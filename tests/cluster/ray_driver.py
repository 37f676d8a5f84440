"""The tests' Ray driver: runs inside the cluster's namespaces (see `ray_cluster.py`).

It connects to the cluster once, answers `{"nodes": N}`, then runs one request per stdin line,
`{"call": "module:function", "args": [...], "kwargs": {...}}`, answering on the file descriptor it
was given with `{"ok": true, "value": ...}` or `{"ok": false, "error": traceback}`. It exits when
stdin closes. Ray's own output goes to stdout/stderr, never to the answer channel.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback


def main() -> None:
    answers = os.fdopen(int(sys.argv[1]), "w")
    import ray

    ray.init(address=sys.argv[2], namespace="provoice-live", log_to_driver=False)
    alive = [n for n in ray.nodes() if n.get("Alive")]
    answers.write(json.dumps({"ok": True, "nodes": len(alive)}) + "\n")
    answers.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            module, _, name = request["call"].partition(":")
            value = getattr(importlib.import_module(module), name)(*request.get("args", []),
                                                                  **request.get("kwargs", {}))
            reply = {"ok": True, "value": value}
        except BaseException:  # the test sees the traceback; the driver keeps serving
            reply = {"ok": False, "error": traceback.format_exc()}
        answers.write(json.dumps(reply, default=str) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
