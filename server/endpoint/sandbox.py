"""What a query process may do: no network, bounded memory. Set up once, when the process starts.

The screen in server/endpoint/query.py refuses a visible SERVICE with a clear 400, but a guarantee must not
rest on two
parsers agreeing (a carriage return inside a comment once ended the comment for pyoxigraph and not for
rdflib). So the process that evaluates user queries cannot open a network connection at all, whatever either
parser thinks: a seccomp filter (Linux,
https://www.kernel.org/doc/html/latest/userspace-api/seccomp_filter.html) makes ``socket(2)`` fail with EPERM
for every address family, and ``io_uring_setup(2)`` too (io_uring can create sockets without calling socket).
Name lookups need a socket as well, so they fail the same way. The process keeps the pipe it was forked with
(created before the filter). ``PR_SET_NO_NEW_PRIVS`` first, as the kernel requires; filters are inherited by
threads created later and cannot be removed.

Memory: ``RLIMIT_AS`` caps the address space at what the process has mapped when it starts (the store it
shares copy-on-write with its HTTP worker) plus ``memory_bytes``; an allocation beyond it fails, and the
process dies or raises MemoryError: the HTTP layer answers 503 and replaces the process. glibc's per-thread
malloc arenas (64 MiB of address space each) are limited to one so the budget is spent on the query.

The filter is written by hand (a dozen BPF instructions) rather than through libseccomp, which is not a
Python dependency we can count on; the instruction encoding is that of ``linux/filter.h``.
"""
import ctypes
import errno
import platform
import resource
import struct

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_M_ARENA_MAX = -8

# BPF opcodes (linux/bpf_common.h)
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06

_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_EPERM = 0x00050000 | errno.EPERM

# (AUDIT_ARCH, socket, io_uring_setup, x32 bit or None) per machine
_ARCH = {
    "x86_64": (0xC000003E, 41, 425, 0x40000000),
    "aarch64": (0xC00000B7, 198, 425, None),
}


class SandboxError(OSError):
    """The filter could not be installed: the caller must not evaluate user queries."""


def _filter(machine: str) -> list[tuple[int, int, int, int]]:
    arch, nr_socket, nr_uring, x32 = _ARCH[machine]
    prog = [(_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
            (_JEQ_K, 1, 0, arch),
            (_RET_K, 0, 0, _RET_KILL_PROCESS),  # a foreign ABI: no syscall table we know
            (_LD_W_ABS, 0, 0, 0)]  # seccomp_data.nr
    if x32 is not None:
        prog += [(_JGE_K, 0, 1, x32), (_RET_K, 0, 0, _RET_KILL_PROCESS)]
    prog += [(_JEQ_K, 1, 0, nr_socket),
             (_JEQ_K, 0, 1, nr_uring),
             (_RET_K, 0, 0, _RET_EPERM),
             (_RET_K, 0, 0, _RET_ALLOW)]
    return prog


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in _ARCH


def deny_network() -> None:
    """Install the filter in the calling process (and the threads it creates later). Raises SandboxError."""
    if not supported():
        raise SandboxError(f"no network sandbox for {platform.system()} {platform.machine()}")
    prog = _filter(platform.machine())
    raw = b"".join(struct.pack("HBBI", *ins) for ins in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))

    class _Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Prog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        raise SandboxError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        raise SandboxError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")


def _mapped_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def limit_memory(memory_bytes: int) -> int:
    """Cap the address space at what is mapped now plus ``memory_bytes``; returns the cap (0: no limit)."""
    if not memory_bytes:
        return 0
    try:
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1)
    except (OSError, AttributeError):
        pass
    cap = _mapped_bytes() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    return cap


def set_name(name: bytes) -> None:
    """The process name shown by ps and /proc/PID/comm (at most 15 bytes)."""
    try:
        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name[:15]), 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass
