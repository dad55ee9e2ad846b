"""The client's address: the direct peer, or the X-Forwarded-For that a trusted proxy set.

Behind nginx every client's peer is 127.0.0.1, so the proxy's header names the client; it is
believed only when the peer is in UNIONDASH_TRUSTED_PROXIES (default 127.0.0.1,::1), else anyone
could send the header and pick their own rate-limit bucket."""

from __future__ import annotations

import ipaddress
import os


def trusted_proxies() -> set[str]:
    raw = os.environ.get("UNIONDASH_TRUSTED_PROXIES", "127.0.0.1,::1")
    return {p.strip() for p in raw.split(",") if p.strip()}


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: str | None) -> str:
    """The client's address. peer None means loopback (Streamlit reports a local peer as None).

    nginx appends the address it saw to X-Forwarded-For, so the last entry is the one the trusted
    proxy vouches for; earlier entries came from the client and are ignored."""
    if peer is None:
        peer = "127.0.0.1"
    peer = (_valid_ip(peer) if isinstance(peer, str) else None) or "invalid"  # unknown is never loopback
    if forwarded_for and peer in trusted_proxies():
        last = _valid_ip(forwarded_for.split(",")[-1])
        if last:
            return last
    return peer


def is_loopback(address: str) -> bool:
    ip = _valid_ip(address)
    return bool(ip) and ipaddress.ip_address(ip).is_loopback


def is_public_deployment() -> bool:
    """UNIONDASH_PUBLIC=1: served to a network (make serve), demo mode read-only for everyone."""
    return os.environ.get("UNIONDASH_PUBLIC") == "1"
