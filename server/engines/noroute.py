"""Run an engine in a network namespace of its own, reachable only through the ports named:
``python -m server.engines.noroute --port 127.0.0.1:8890 --port 127.0.0.1:1111 -- virtuoso-t …``.

For engines that must connect to themselves (Virtuoso checks at start-up that it can connect to its own
port, so ``noconnect``'s filter stops it from starting), the guarantee that the engine reaches nobody is given
by routing instead: the command runs in a new network namespace whose only interface is its own loopback, so
no address outside it exists for it, whatever it is asked (``SERVICE``, ``<bif:http_get>``, its sponger).
This process (Linux, needs CAP_SYS_ADMIN: root, or a user namespace) listens on each ``--port`` in the
namespace it was started in, then moves itself into the new one and relays every connection it accepts to the
same port on the engine's loopback. It is the process group's leader: stopping the group stops the engine.
"""
import argparse
import ctypes
import fcntl
import os
import socket
import struct
import sys
import threading

_CLONE_NEWNET = 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(s, _SIOCGIFFLAGS, ifreq))[1]
        fcntl.ioctl(s, _SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | _IFF_UP, b""))


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(1 << 16)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                s.shutdown(how)
            except OSError:
                pass


def _relay(client: socket.socket, port: int) -> None:
    try:
        inner = socket.create_connection(("127.0.0.1", port), timeout=30)
    except OSError:
        client.close()
        return
    inner.settimeout(None)
    back = threading.Thread(target=_pump, args=(inner, client), daemon=True)
    back.start()
    _pump(client, inner)
    back.join()
    client.close()
    inner.close()


def _serve(listener: socket.socket, port: int) -> None:
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=_relay, args=(client, port), daemon=True).start()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m server.engines.noroute")
    parser.add_argument("--port", action="append", required=True, help="HOST:PORT to expose (repeatable)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    listeners = []
    for spec in args.port:
        host, _, port = spec.rpartition(":")
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host or "127.0.0.1", int(port)))
        s.listen(128)
        listeners.append((s, int(port)))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNET) != 0:
        sys.exit(f"cannot create a network namespace: {os.strerror(ctypes.get_errno())} "
                 "(needs CAP_SYS_ADMIN)")
    _loopback_up()
    pid = os.fork()
    if pid == 0:
        for s, _ in listeners:
            s.close()
        os.execvp(command[0], command)
    for s, port in listeners:
        threading.Thread(target=_serve, args=(s, port), daemon=True).start()
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main(sys.argv[1:])
