"""Past one machine: sessions (`sessions`) and corpus builds (`build`) on a Ray cluster.

Ray is an optional extra (`pip install 'provoice-live[ray]'`), imported only when `--executor ray`
is asked for. The driver (the machine that runs `provoice-live run` or `build-corpus`) stays the
single writer of the run or corpus directory: workers send back what they made and the driver
writes it, so resume, progress and manifests work exactly as they do locally.

Worker nodes need provoice-live installed (the same version as the driver) and, for remote agents,
the API keys in their environment (`ray start` passes its environment on to the workers).
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import ProvoiceError, require

NAMESPACE = "provoice-live"
# Environment the driver forwards to its workers when set (never secrets): offline switches, and
# the numeric libraries' thread counts. Ray gives a 1-CPU worker OMP_NUM_THREADS=1; the offline
# agent's decisions can follow the BLAS thread count, so a run that pins it (`OMP_NUM_THREADS=1
# provoice-live run ...`) pins it on every worker too, before any library loads (`runtime_env`).
FORWARDED_ENV = ("HF_HUB_OFFLINE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def ray_module() -> Any:
    """The `ray` module, or one sentence saying how to install it."""
    return require("ray", "ray", "--executor ray")


def connect(address: str | None) -> bool:
    """Connect this process to a Ray cluster; True if it connected now (and must `disconnect`).

    `address`: "auto" (a cluster started with `ray start` on this machine), "HOST:PORT",
    "ray://HOST:PORT" (Ray Client), or None (the `RAY_ADDRESS` variable, else a new local cluster).
    A process already connected (a test's driver, a notebook) keeps its connection.
    """
    ray = ray_module()
    if ray.is_initialized():
        return False
    try:
        ray.init(address=address, namespace=NAMESPACE, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ProvoiceError(f"cannot reach the Ray cluster at {address or 'the default address'}: {first}") from None
    return True


def disconnect(connected_now: bool) -> None:
    if connected_now:
        ray_module().shutdown()


def forwarded_env() -> dict[str, str]:
    return {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ}


def worker_runtime_env() -> dict[str, Any] | None:
    """The `runtime_env` of our workers: the forwarded variables, set before the process starts."""
    env = forwarded_env()
    return {"env_vars": env} if env else None


def cluster_cpus() -> int:
    """Whole CPUs the cluster has (at least 1): the default number of workers."""
    return max(1, int(ray_module().cluster_resources().get("CPU", 1)))


def add_executor_arguments(p, what: str) -> None:
    """`--executor local|ray` and `--ray-address`, shared by `run` and `build-corpus`."""
    p.add_argument("--executor", choices=("local", "ray"), default="local",
                   help=f"where {what} run: this machine (default) or a Ray cluster (pip install 'provoice-live[ray]')")
    p.add_argument("--ray-address", metavar="auto|HOST:PORT|ray://HOST:PORT", default=None,
                   help="with --executor ray: the cluster (default: RAY_ADDRESS, else a new local Ray)")
