"""Run ingest (``load_portfolio``, ``read_raw``) in a child process with a memory and time budget.

A server shares its memory and cores between every user: one hostile or huge upload must not stall
or kill the other sessions. The child is a fresh Python (see ``_isolated``) that limits its own
address space with ``RLIMIT_AS`` and lowers its priority; the parent waits at most ``seconds``
and kills it after that. Whatever goes wrong becomes a ``RightfitError`` whose
message a user can read.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import pickle
import resource
import subprocess
import sys
from collections.abc import Callable, Sequence

import pyarrow as pa

from analysis.errors import InputFileError, RightfitError
from analysis.ingest.models import IngestConfig, InputFile, Portfolio, RawTable
from analysis.ingest.portfolio import load_portfolio
from analysis.ingest.read import preview_raw

# Address space, not resident memory: Arrow and malloc reserve far more than they touch. A
# 128 MB, 1M-row CSV peaks at 2.2 GB of address space above the imports (1.7 GB resident).
DEFAULT_MEMORY_BYTES = 6 * 2**30
DEFAULT_SECONDS = 120.0
_NICENESS = 5  # the parse yields the cores to other users' reruns
_M_ARENA_MAX = -8  # glibc mallopt parameter
_MEMORY_SIGNS = ("OutOfMemory", "Out of Memory", "Cannot allocate memory", "Failed to launch")


def load_portfolio_isolated(
    files: Sequence[InputFile],
    config: IngestConfig,
    *,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    seconds: float = DEFAULT_SECONDS,
) -> Portfolio:
    """``load_portfolio`` in a child process that may use ``memory_bytes`` of address space beyond
    what the loader itself needs, for at most ``seconds`` of wall-clock time.

    Raises the child's ``RightfitError`` as it was, and ``InputFileError`` naming the files when
    the budget runs out or the child dies.
    """
    files = tuple(files)
    names = ", ".join(f.name for f in files) or "(no file)"
    return _isolated(load_portfolio, (files, config), names, memory_bytes, seconds)


def preview_raw_isolated(
    file: InputFile,
    config: IngestConfig,
    *,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    seconds: float = DEFAULT_SECONDS,
) -> RawTable:
    """``preview_raw`` (an upload's first rows, for the Data page) under the same budget as a
    whole load; only the preview crosses back from the child."""
    return _isolated(preview_raw, (file, config), file.name, memory_bytes, seconds)


def _isolated(
    work: Callable, args: tuple, names: str, memory_bytes: int, seconds: float
) -> Portfolio | RawTable:
    """``work(*args)`` in a child Python under the budget; its result or a RightfitError.

    The child is a fresh ``python -m analysis.ingest`` that reads its task from stdin and
    writes the outcome to stdout (pickles between our own two processes). Not multiprocessing:
    under Streamlit ``__main__`` is the app script, which its spawn and forkserver children run
    again; and never a plain fork of the threaded app server.
    """
    child = subprocess.Popen(
        [sys.executable, "-m", "analysis.ingest"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        out, _ = child.communicate(pickle.dumps((work, args, memory_bytes)), timeout=seconds)
        outcome = pickle.loads(out) if child.returncode == 0 and out else ("crashed",)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        outcome = ("timeout",)
    budget = f"{memory_bytes / 2**20:,.{0 if memory_bytes >= 2**20 else 2}f} MB"
    match outcome:
        case ("ok", result):
            return result
        case ("error", module, qualname, state, error_args):
            raise _rebuild(module, qualname, state, error_args)
        case ("memory",):
            raise InputFileError(names, f"needs more memory than one upload may use ({budget}).")
        case ("timeout",):
            raise InputFileError(names, f"took longer than {seconds:g} s to read; stopped.")
        case _:
            raise InputFileError(
                names,
                "the reader stopped unexpectedly; the file may be damaged or need more memory "
                f"than one upload may use ({budget}).",
            )


def child_main() -> None:
    """The child's whole life: read the task (which imports what it needs), cap the address
    space at what is in use plus the budget, run it, and report."""
    work, args, memory_bytes = pickle.loads(sys.stdin.buffer.read())
    os.nice(_NICENESS)
    _lean_threads()
    limit = _address_space() + memory_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        outcome: tuple = ("ok", work(*args))
    except RightfitError as error:
        kind = type(error)
        outcome = ("error", kind.__module__, kind.__qualname__, vars(error), error.args)
    except Exception as error:
        if not _out_of_memory(error):
            raise  # a bug, not a budget: its traceback goes to the server log
        outcome = ("memory",)
    try:
        data = pickle.dumps(outcome)
    except MemoryError:
        data = pickle.dumps(("memory",))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _lean_threads() -> None:
    """One Arrow worker and one malloc arena: each extra thread would reserve tens of MB of
    address space that counts against the limit, and one upload should not take every core."""
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    pa.set_memory_pool(pa.system_memory_pool())
    with contextlib.suppress(OSError):  # not glibc: no per-thread arenas to cap
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, 1)


def _out_of_memory(error: Exception) -> bool:
    """Python, Arrow and DuckDB each say "no more memory" their own way."""
    text = f"{type(error).__name__}: {error}"
    return isinstance(error, MemoryError) or any(sign in text for sign in _MEMORY_SIGNS)


def _address_space() -> int:
    """The process's current virtual size in bytes (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _rebuild(module: str, qualname: str, state: dict, args: tuple) -> RightfitError:
    """The child's error, same class and message: errors with keyword-only fields do not survive
    a plain pickle round trip, so the parent rebuilds it from its attributes."""
    kind = getattr(importlib.import_module(module), qualname, None)
    if not (isinstance(kind, type) and issubclass(kind, RightfitError)):
        return RightfitError(*args)
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error
