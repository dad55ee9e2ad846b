"""Network guard for a child process, without privileges: `install(log)` adds an audit hook
(sys.addaudithook) that records every attempt of this Python process to resolve or reach another
machine, one JSON line each in `log`, and refuses it (ConnectionRefusedError). Loopback and Unix
sockets pass: Chromium is driven over pipes and local sockets. The tests read the log: empty
means the process never tried the network, whether or not a network was there."""

from __future__ import annotations

import ipaddress
import json
import socket
import sys

LOCAL_NAMES = {"", "localhost", "ip6-localhost", "ip6-loopback"}


def is_local(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host in LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def install(log: str) -> None:
    def refuse(event: str, target) -> None:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"event": event, "target": repr(target)}) + "\n")
        raise ConnectionRefusedError(f"net_guard: {event} {target!r} refused (no network for this process)")

    def hook(event: str, args: tuple) -> None:
        if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
            if not is_local(args[0]):
                refuse(event, args[0])
        elif event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            sock, address = args[0], args[-1]
            if sock.family in (socket.AF_INET, socket.AF_INET6) and address and not is_local(address[0]):
                refuse(event, address)

    sys.addaudithook(hook)


def attempts(log) -> list[dict]:
    """What the guard refused, in order (nothing when the log was never written)."""
    from pathlib import Path

    path = Path(log)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
