"""A real two-node Ray cluster on 127.0.0.1 for tests and benchmarks, fenced off from the machine.

Ray binds the machine's external address unless it runs where only loopback exists, so the cluster
lives in a private network namespace with only `lo` (as the browser test does for Chromium), and
in a private PID namespace too: every Ray process is a descendant of the namespace's first process
(a small reaper), so stopping the cluster is killing that one process by its id, and nothing of
Ray outlives the test or touches another Ray on the machine.

    with LoopbackRayCluster(tmp) as cluster:          # head + one more node, `ray start` each
        cluster.call("ray_ops:some_op", arg)           # runs in a driver already connected to it

`call` sends a request to one long-lived driver process in the namespace (`ray_driver.py`), which
connected to the cluster once: a driver connects in seconds on a loaded machine, so tests share it.
Every wait is bounded; a call that times out raises, and `stop` still tears everything down.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# The namespace's PID 1: bring lo up, say so, then reap orphans (Ray's daemons end up here) forever.
REAPER = r"""
import os, subprocess, sys, time
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
print("up", flush=True)
while True:
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(0.5)
"""


class ClusterError(RuntimeError):
    pass


def loopback_namespaces_available() -> str | None:
    """None if this machine lets us make the namespaces, else why not (for a skip reason)."""
    for tool in ("unshare", "nsenter", "ip"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    probe = subprocess.run(["unshare", "--net", "--pid", "--fork", "--mount-proc", "true"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return f"cannot create network and PID namespaces: {probe.stderr.strip()[:200]}"
    return None


class LoopbackRayCluster:
    """`nodes` Ray nodes (`ray start`) on 127.0.0.1 in a private network + PID namespace."""

    def __init__(self, scratch: Path, nodes: int = 2, cpus_per_node: int = 1, object_store_mb: int = 80,
                 port: int = 6379, start_timeout_s: float = 240.0, python_path: tuple[str, ...] = ()):
        self.scratch = Path(scratch)
        self.nodes = nodes
        self.cpus_per_node = cpus_per_node
        self.object_store_mb = object_store_mb
        self.address = f"127.0.0.1:{port}"
        self.port = port
        self.start_timeout_s = start_timeout_s
        self.temp_dir = Path(f"/tmp/pvray-{os.getpid()}-{port}")  # Ray's unix sockets need a short path
        self.holder: subprocess.Popen | None = None
        self.init_pid: int | None = None
        self.driver: subprocess.Popen | None = None
        self._replies = None
        self.env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0",
                    "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE), *python_path]),
                    "RAY_DEDUP_LOGS": "0"}

    # -- namespaces ------------------------------------------------------------------------------
    def inside(self, cmd: list[str]) -> list[str]:
        """`cmd` run inside the cluster's namespaces (network, PID, and the mount of its /proc)."""
        return ["nsenter", "-t", str(self.init_pid), "-n", "-p", "-m", f"--wd={os.getcwd()}", "--", *cmd]

    def run_inside(self, cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
        done = subprocess.run(self.inside(cmd), env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise ClusterError(f"{' '.join(cmd[:3])} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done

    def start(self) -> "LoopbackRayCluster":
        deadline = time.monotonic() + self.start_timeout_s
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.holder = subprocess.Popen(
            ["unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child", sys.executable, "-c", REAPER],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        ready, _, _ = select.select([self.holder.stdout], [], [], 30)
        if not ready or self.holder.stdout.readline().strip() != "up":
            raise ClusterError(f"the namespace did not come up: {self.holder.stderr.read(500) if not ready else ''}")
        children = Path(f"/proc/{self.holder.pid}/task/{self.holder.pid}/children").read_text().split()
        self.init_pid = int(children[0])
        common = [f"--num-cpus={self.cpus_per_node}", f"--object-store-memory={self.object_store_mb * 2**20}",
                  "--node-ip-address=127.0.0.1", "--disable-usage-stats"]
        self.run_inside(["ray", "start", "--head", f"--port={self.port}", "--include-dashboard=false",
                         f"--temp-dir={self.temp_dir}", *common], timeout=max(5.0, deadline - time.monotonic()))
        for _ in range(self.nodes - 1):
            self.run_inside(["ray", "start", f"--address={self.address}", *common],
                            timeout=max(5.0, deadline - time.monotonic()))
        self._start_driver(max(5.0, deadline - time.monotonic()))
        return self

    def _start_driver(self, timeout: float) -> None:
        r, w = os.pipe()
        log = (self.scratch / "driver.log").open("w")
        self.driver = subprocess.Popen(self.inside([sys.executable, str(HERE / "ray_driver.py"), str(w), self.address]),
                                       env=self.env, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                                       text=True, pass_fds=(w,))
        os.close(w)
        self._replies = os.fdopen(r, "r")
        hello = self._reply(timeout)
        if hello.get("nodes") != self.nodes:
            raise ClusterError(f"the driver sees {hello.get('nodes')} node(s), expected {self.nodes}")

    def _reply(self, timeout: float) -> dict:
        ready, _, _ = select.select([self._replies], [], [], timeout)
        if not ready:
            raise ClusterError(f"no answer from the driver in {timeout:.0f} s (see {self.scratch / 'driver.log'})")
        line = self._replies.readline()
        if not line:
            raise ClusterError(f"the driver exited (see {self.scratch / 'driver.log'})")
        reply = json.loads(line)
        if not reply.get("ok", False):
            raise ClusterError(f"the driver failed:\n{reply.get('error')}")
        return reply

    def call(self, function: str, *args, timeout: float = 120.0, **kwargs):
        """Run `module:function(*args, **kwargs)` in the connected driver; its JSON-able return value."""
        self.driver.stdin.write(json.dumps({"call": function, "args": list(args), "kwargs": kwargs}) + "\n")
        self.driver.stdin.flush()
        return self._reply(timeout)["value"]

    def stop(self) -> None:
        """Kill the namespace's first process: the kernel then ends every process in the namespace."""
        if self.driver is not None and self.driver.poll() is None:
            try:
                self.driver.stdin.close()
                self.driver.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.driver.kill()
        if self.init_pid is not None:
            try:
                os.kill(self.init_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.holder is not None:
            try:
                self.holder.wait(15)
            except subprocess.TimeoutExpired:
                self.holder.kill()
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def __enter__(self) -> "LoopbackRayCluster":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
