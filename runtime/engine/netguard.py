"""Outbound address checks for the `http` node (server-side request forgery protection).

Every address a host name resolves to must be public: private, loopback, link-local,
multicast, reserved, unspecified and shared (CGNAT) ranges are refused, IPv4-mapped IPv6
included. The request then connects to the address we checked, so a second DNS answer cannot
swap in an internal one.
"""

from __future__ import annotations

import ipaddress
import socket

from runtime.engine.errors import NodeFailure

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def resolve_public(host: str, port: int) -> str:
    """Resolve `host` and return an address to connect to, refusing any non-public one."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses: list[Address] = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise NodeFailure("http", f"cannot resolve {host}: {exc}", retryable=True) from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise NodeFailure("http", f"cannot resolve {host}", retryable=True)
    for address in addresses:
        if not is_public(address):
            raise NodeFailure(
                "http",
                f"refused: {host} resolves to a non-public address ({address})",
                retryable=False,
            )
    return str(addresses[0])
