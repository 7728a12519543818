"""Run ingest (``load_portfolio``, ``read_raw``) in a child process with a memory and time budget.

A server shares its memory and cores between every user: one hostile or huge upload must not stall
or kill the other sessions. The child comes from a fork server (see ``_context``), limits its own
address space with ``RLIMIT_AS`` and lowers its priority; the parent waits at most ``seconds``
and kills it after that. Whatever goes wrong becomes a ``RightfitError`` whose
message a user can read.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import multiprocessing
import os
import resource
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection

import pyarrow as pa

from analysis.errors import InputFileError, RightfitError
from analysis.ingest.models import IngestConfig, InputFile, Portfolio, RawTable
from analysis.ingest.portfolio import load_portfolio
from analysis.ingest.read import read_raw

DEFAULT_MEMORY_BYTES = 2 * 2**30
DEFAULT_SECONDS = 120.0
_NICENESS = 5  # the parse yields the cores to other users' reruns
_KILL_GRACE_SECONDS = 5.0
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


def read_raw_isolated(
    file: InputFile,
    config: IngestConfig,
    *,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    seconds: float = DEFAULT_SECONDS,
) -> RawTable:
    """``read_raw`` (the preview read of an upload) under the same budget as a whole load."""
    return _isolated(read_raw, (file, config), file.name, memory_bytes, seconds)


def _isolated(
    work: Callable, args: tuple, names: str, memory_bytes: int, seconds: float
) -> Portfolio | RawTable:
    """``work(*args)`` in a spawned child under the budget; its result or a RightfitError."""
    context = _context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(send, work, args, memory_bytes), name="rightfit-ingest"
    )
    child.start()
    send.close()
    outcome: tuple = ("timeout",)
    try:
        outcome = _wait(receive, seconds)
    finally:
        receive.close()
        _stop(child, at_once=outcome == ("timeout",))
    budget = f"{memory_bytes / 2**20:,.{0 if memory_bytes >= 2**20 else 2}f} MB"
    match outcome:
        case ("ok", result):
            return result
        case ("error", module, qualname, state, args):
            raise _rebuild(module, qualname, state, args)
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


def _context() -> multiprocessing.context.BaseContext:
    """Children fork from a small single-threaded server that has imported ingest and nothing
    else. Not "spawn": under Streamlit, ``__main__`` is the app script, which a spawned child
    would run again; not a plain fork of the threaded app server either."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["analysis.ingest.sandbox"])
    return context


def _wait(receive: Connection, seconds: float) -> tuple:
    """The child's message, ("timeout",) past the deadline, or ("crashed",) if it died silently."""
    if not receive.poll(seconds):
        return ("timeout",)
    try:
        return receive.recv()
    except (EOFError, OSError):
        return ("crashed",)


def _stop(child, *, at_once: bool) -> None:
    """Reap the child; one that overran (or lingers after answering) is killed."""
    if not at_once:
        child.join(timeout=_KILL_GRACE_SECONDS)
    if child.is_alive():
        child.kill()
        child.join()
    child.close()


def _child(send: Connection, work: Callable, args: tuple, memory_bytes: int) -> None:
    """Entry point of the child: everything it has is already imported, so the limit is what the
    parse itself may take on top."""
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
        send.send(outcome)
    except MemoryError:
        send.send(("memory",))
    except BrokenPipeError:
        pass  # the parent gave up waiting and is about to kill us
    finally:
        send.close()


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
