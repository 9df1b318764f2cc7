"""Run a command that may accept connections but never open one: ``python -m server.engines.noconnect CMD …``.

The front end refuses SERVICE and unknown functions before anything is sent to an engine, but a guarantee
must not rest on parsers agreeing; with the embedded store the query processes cannot open a socket
(server/endpoint/sandbox.py). An engine must listen, so it cannot lose ``socket(2)``; what it must not do is
reach out. This launcher installs a seccomp filter that makes ``connect(2)`` fail with EPERM, and with it the
other ways to start a conversation: ``sendto(2)`` with an address (UDP, TCP Fast Open), ``sendmsg(2)``,
``sendmmsg(2)`` and ``io_uring_setup(2)``; then it executes the engine, which inherits the filter for good
(``PR_SET_NO_NEW_PRIVS``). Accepting, reading and writing on accepted connections are unaffected, and so are
files. Name lookups fail as well (they connect a UDP socket).

Oxigraph server would follow a SERVICE clause and Virtuoso offers ``<bif:http_get>`` from SPARQL: started
this way neither can. In production, an egress firewall for the engine's user (nftables ``meta skuid``, or
the container's network policy) says the same; tests/server/test_engines.py checks it with a listener.
"""
import ctypes
import errno
import os
import platform
import struct
import sys

_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_LD, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_ALLOW, _KILL, _EPERM = 0x7FFF0000, 0x80000000, 0x00050000 | errno.EPERM
# machine: (AUDIT_ARCH, x32 bit or None, {name: number})
_ARCH = {
    "x86_64": (0xC000003E, 0x40000000,
               {"connect": 42, "sendto": 44, "sendmsg": 46, "sendmmsg": 307, "io_uring_setup": 425}),
    "aarch64": (0xC00000B7, None,
                {"connect": 203, "sendto": 206, "sendmsg": 211, "sendmmsg": 269, "io_uring_setup": 425}),
}


def _program(machine: str) -> list[tuple[int, int, int, int]]:
    arch, x32, nr = _ARCH[machine]
    denied = [nr["connect"], nr["sendmsg"], nr["sendmmsg"], nr["io_uring_setup"]]
    # labels resolved after the fact: ("jeq", k, label_true) jumps forward to the label, else falls through
    code = [("ld", 4), ("jeq_else", arch, "kill"), ("ld", 0)]
    if x32 is not None:
        code.append(("jge", x32, "kill"))
    code += [("jeq", n, "eperm") for n in denied]
    code += [("jeq", nr["sendto"], "sendto"), ("ret", _ALLOW),
             ("label", "sendto"), ("ld", 48), ("jeq_else", 0, "eperm"), ("ld", 52), ("jeq_else", 0, "eperm"),
             ("ret", _ALLOW), ("label", "eperm"), ("ret", _EPERM), ("label", "kill"), ("ret", _KILL)]
    labels, index = {}, 0
    for op in code:
        if op[0] == "label":
            labels[op[1]] = index
        else:
            index += 1
    prog, index = [], 0
    for op in code:
        if op[0] == "label":
            continue
        kind = op[0]
        if kind == "ld":
            prog.append((_LD, 0, 0, op[1]))
        elif kind == "ret":
            prog.append((_RET, 0, 0, op[1]))
        elif kind == "jeq":  # equal: jump to the label; else next
            prog.append((_JEQ, labels[op[2]] - index - 1, 0, op[1]))
        elif kind == "jeq_else":  # equal: next; else jump to the label
            prog.append((_JEQ, 0, labels[op[2]] - index - 1, op[1]))
        elif kind == "jge":
            prog.append((_JGE, labels[op[2]] - index - 1, 0, op[1]))
        index += 1
    return prog


def deny_outbound() -> None:
    """Install the filter in this process (and what it executes); OSError if it cannot be."""
    machine = platform.machine()
    if machine not in _ARCH:
        raise OSError(f"no outbound-connection filter for {machine}")
    prog = _program(machine)
    buf = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *ins) for ins in prog))
    fprog = struct.pack("HL", len(prog), ctypes.addressof(buf))
    fprog_buf = ctypes.create_string_buffer(fprog)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    pointer = ctypes.c_void_p(ctypes.addressof(fprog_buf))
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, pointer, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: python -m server.engines.noconnect COMMAND [ARG…]")
    try:
        deny_outbound()
    except OSError as exc:
        sys.exit(f"cannot deny outbound connections: {exc}")
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
