"""The offline agent decides the same whatever the machine's thread counts (`provoice_live.threads`).

Each case runs in fresh processes, one under `OMP_NUM_THREADS=1` (a 1-CPU Ray worker) and one under
`OMP_NUM_THREADS=2` (a 2-core laptop): OpenBLAS sizes its pool from that variable when numpy loads,
and without the pin its float32 products (Whisper's log-mel features) differ in the last bits."""

import json
import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]

FEATURES = r"""
import hashlib, json, sys
import numpy as np
from provoice_live import threads
threads.pin()
from faster_whisper.feature_extractor import FeatureExtractor
out = {}
for seed in range(3):  # a family of signals: tones in noise, of several lengths
    rng = np.random.default_rng(seed)
    n = 16000 * (3 + 2 * seed)
    t = np.arange(n) / 16000
    x = (0.2 * np.sin(2 * np.pi * (180 + 90 * seed) * t * (1 + 0.3 * t)) + 0.05 * rng.standard_normal(n)).astype(np.float32)
    out[seed] = hashlib.sha256(FeatureExtractor()(x).tobytes()).hexdigest()
print(json.dumps(out))
"""


def _run(code: str, omp: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    env.update(OMP_NUM_THREADS=omp, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_whisper_features_are_bit_identical_under_one_and_two_blas_threads():
    one, two = _run(FEATURES, "1"), _run(FEATURES, "2")
    assert len(one) == 3 and one == two


def test_the_pin_holds_the_blas_pool_at_its_recorded_count_whatever_the_environment():
    code = ("import json; from provoice_live import threads; threads.pin(); from threadpoolctl import threadpool_info; "
            "print(json.dumps({'n': sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'})}))")
    from provoice_live.threads import BLAS_THREADS

    for omp in ("1", "2", "4"):
        assert _run(code, omp) == {"n": [BLAS_THREADS]}, omp


def test_the_run_config_records_the_agent_thread_counts():
    from provoice_live.agents.offline.agent import OfflineAgent
    from provoice_live.threads import BLAS_THREADS

    caps = OfflineAgent.capabilities
    for asr_threads, want in ((None, 2), ("1", 1), ("3", 3)):
        opts = {} if asr_threads is None else {"asr_threads": asr_threads}
        got = OfflineAgent.settings_for(opts, caps)["numeric_threads"]
        assert got == {"blas": BLAS_THREADS, "recogniser": want, "silero": 1, "embeddings": 2}


def test_the_pin_holds_when_another_thread_set_blas_first_or_changes_it_later():
    """threadpoolctl's limiter does nothing from a thread other than the first to use it (the agent
    pins from the recogniser's worker thread), and anything may change the count afterwards."""
    code = r"""
import json, threading
import numpy
from threadpoolctl import threadpool_info, threadpool_limits
from provoice_live import threads
blas = lambda: sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'})
threadpool_limits(limits=3, user_api='blas')  # the main thread takes control of OpenBLAS
worker = threading.Thread(target=threads.pin); worker.start(); worker.join()
after_worker = blas()
threadpool_limits(limits=2, user_api='blas')  # someone changes it later
threads.pin()
print(json.dumps({"after_worker": after_worker, "after_change": blas()}))
"""
    from provoice_live.threads import BLAS_THREADS

    for omp in ("1", "2"):
        assert _run(code, omp) == {"after_worker": [BLAS_THREADS], "after_change": [BLAS_THREADS]}, omp
