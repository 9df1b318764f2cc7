"""The memory allocator of ``apg serve``: jemalloc when it is installed (Debian: libjemalloc2), else the C
library's.

Why: under the cache-proof mix the query processes spend two thirds of the server's CPU, most of it in
pyoxigraph, and glibc's malloc and free were an eighth of all of it (perf over the machine). Under jemalloc an
evaluation of the competency queries costs 14 % less CPU in one process (``python -m bench.allocators``), and
the server 13 % less per request side by side (0.80 against 0.92 ms, bench/results-unique.md). Rust's and C's
allocations go through it; Python's small objects keep their own allocator.

An allocator is fixed when a process starts, and the workers and query processes are forks of ``apg serve``,
so ``apg serve`` starts itself again with jemalloc in LD_PRELOAD (``os.execve``: the same process id,
arguments and environment, LD_PRELOAD added) once its settings and the build have been checked, just before
it serves. ``--allocator system`` (APG_ALLOCATOR=system) keeps the C library's; without jemalloc the server
says so in one log line and serves with the C library's.
"""
import ctypes.util
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

CHOICES = ("jemalloc", "system")
DEFAULT = "jemalloc"
# The library's file name, as LD_PRELOAD takes it (the dynamic loader looks it up as it does a dependency).
_LIBRARIES = {"jemalloc": "libjemalloc.so.2"}
_PACKAGES = {"jemalloc": "libjemalloc2"}
# Set in the environment of the process started again: it does not try a second time.
_STARTED = "APG_ALLOCATOR_STARTED"


def choice(value: str | None) -> str:
    """The allocator asked for (``--allocator``, else APG_ALLOCATOR, else the default); ValueError if
    unknown."""
    value = (value or os.environ.get("APG_ALLOCATOR") or DEFAULT).strip().lower()
    if value not in CHOICES:
        raise ValueError(f"APG_ALLOCATOR={value!r} is not valid: must be one of {', '.join(CHOICES)}")
    return value


def in_use(pid: int | str = "self") -> str:
    """The allocator a process runs with: a name of CHOICES, from the libraries it has mapped."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return "system"
    return next((name for name, lib in _LIBRARIES.items() if f"/{lib}" in maps), "system")


def _find(name: str) -> str | None:
    lib = _LIBRARIES[name]
    found = ctypes.util.find_library(name)  # the loader's cache (ldconfig -p)
    if found == lib:
        return lib
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"):
        if (Path(d) / lib).is_file():
            return str(Path(d) / lib)
    return None


def start_with(name: str) -> None:
    """Start this process again under allocator ``name`` if it does not run under it yet (returns if it
    cannot: the library is missing, or it did not load the first time)."""
    if name == "system" or in_use() == name:
        return
    lib = _find(name)
    if lib is None:
        log.warning("%s is not installed (Debian: apt-get install %s): the query processes use the C "
                    "library's allocator", name, _PACKAGES[name])
        return
    if os.environ.get(_STARTED):  # started again with it, and still not mapped
        log.warning("%s did not load from LD_PRELOAD; the C library's allocator serves", name)
        return
    preload = " ".join(p for p in (os.environ.get("LD_PRELOAD", ""), lib) if p)
    sys.stdout.flush()
    sys.stderr.flush()
    env = {**os.environ, "LD_PRELOAD": preload, _STARTED: "1"}
    script = sys.argv[0]
    if os.path.isfile(script) and os.access(script, os.X_OK):  # the ``apg`` script: its process name stays
        os.execve(script, sys.argv, env)
    os.execve(sys.executable, sys.orig_argv, env)  # e.g. ``python -m kg.cli serve``
