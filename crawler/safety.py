"""Where the crawler must not go without an operator saying so: loopback, private and link-local
networks, and other addresses that are not the public internet (cloud metadata services live on
link-local addresses; a crawler aimed there leaks credentials)."""

from __future__ import annotations

import ipaddress


def private_address_reason(host: str) -> str | None:
    """Why `host` (a name or an IP literal) is not a public address, or None when it is.

    Names are judged as written (localhost and *.localhost are loopback); what a public-looking
    name resolves to is checked again when the crawler connects.
    """
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return "a loopback address"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return None
    return address_reason(address)


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
