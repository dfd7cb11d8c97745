"""Where the crawler must not go without an operator saying so: loopback, private and link-local
networks, and other addresses that are not the public internet (cloud metadata services live on
link-local addresses; a crawler aimed there leaks credentials)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def private_address_reason(host: str) -> str | None:
    """Why `host` (a name or an IP literal) is not a public address, or None when it is.

    Names are judged as written (localhost and *.localhost are loopback); what a public-looking
    name resolves to is checked again when the crawler connects.
    """
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return "a loopback address"
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(name)
    except ValueError:
        legacy = _legacy_ipv4(name)
        if legacy is None:
            return None
        address = legacy
    return address_reason(address)


def _legacy_ipv4(name: str) -> ipaddress.IPv4Address | None:
    """The address of a name that C resolvers read as IPv4 although `ipaddress` does not:
    `127.1`, `0x7f000001`, `2130706433`, `0177.0.0.1` (inet_aton's forms)."""
    if not name or any(c not in "0123456789abcdefx." for c in name) or not name[0].isdigit():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except OSError:
        return None


def address_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_reason(address.ipv4_mapped)
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return "an address that is not on the public internet"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private network address"
    return None


def public_url_problem(url: str) -> str | None:
    """Why we will not send to `url` (not http(s), or a host that is or resolves to a private
    address), or None when it is a public http(s) URL. Webhooks use it: posting to private
    addresses is how a stranger who can name a URL reaches internal services."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL"
    try:
        return resolved_reason(parts.hostname, parts.port or 443)
    except OSError as exc:
        return f"a host that does not resolve ({exc})"


def resolved_reason(host: str, port: int) -> str | None:
    """`private_address_reason` for the name as written and for every address it resolves to;
    OSError when it does not resolve."""
    reason = private_address_reason(host)
    if reason is None:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        reason = next((r for info in infos if (r := address_reason(ipaddress.ip_address(info[4][0])))), None)
    return reason
