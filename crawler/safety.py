"""Where the crawler must not go without an operator saying so: loopback, private and link-local
networks, and other addresses that are not the public internet (cloud metadata services live on
link-local addresses; a crawler aimed there leaks credentials)."""

from __future__ import annotations

import ipaddress
import socket


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
