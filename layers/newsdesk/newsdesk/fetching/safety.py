"""Which addresses the fetcher may connect to: public ones only, checked on the socket actually opened.

The check runs inside the connection (see `newsdesk.fetching.http`), on the address that is about to
be connected to, for every hop of a redirect chain. Checking a URL before the request and letting the
HTTP library resolve the name again would leave a DNS-rebinding window; this does not.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from newsdesk.fetching.errors import BlockedAddressError, NameResolutionFailedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> addresses to try, in order. Tests map made-up names to 127.0.0.1 with it.
Resolver = Callable[[str, int], Sequence[str]]

METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise NameResolutionFailedError(f"cannot resolve {host}: {exc}") from exc
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


# IPv6 prefixes that carry an IPv4 address a gateway will deliver to: NAT64 (RFC 6052, and the
# local-use prefix of RFC 8215). The embedded address decides, as for IPv4-mapped ones.
_NAT64_NETWORKS = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one wraps (mapped, 6to4, Teredo client, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if _is_nat64(address):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_nat64(address: ipaddress.IPv6Address) -> bool:
    return any(address in network for network in _NAT64_NETWORKS)


def is_public_address(address: IPAddress) -> bool:
    """False for loopback, private, link-local (metadata service), multicast, reserved and unspecified.

    An IPv6 address that wraps an IPv4 one is judged by that one too: `2002:7f00:1::` (6to4 around
    127.0.0.1) reaches loopback through a relay however global its own prefix looks.
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None and not is_public_address(inner):
            return False
        if inner is not None and (address.ipv4_mapped is not None or _is_nat64(address)):
            return True  # translated, not routed as IPv6: the inner address is the whole story
    if address in METADATA_ADDRESSES:
        return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _host_port_key(host: str, port: int) -> str:
    host = host.lower().rstrip(".").strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class AddressPolicy:
    """`allowed_private_hosts` lists `host:port` pairs (as named in the URL) exempt from the check.

    That exemption is how tests fetch from a server on 127.0.0.1 under a made-up name while a
    redirect to `127.0.0.1` itself, or to another port, is still refused.
    """

    allow_private_networks: bool = False
    allowed_private_hosts: frozenset[str] = field(default_factory=frozenset)
    resolver: Resolver = system_resolver

    @classmethod
    def build(
        cls,
        *,
        allow_private_networks: bool = False,
        allowed_private_hosts: Iterable[str] = (),
        resolver: Resolver | None = None,
    ) -> AddressPolicy:
        return cls(
            allow_private_networks=allow_private_networks,
            allowed_private_hosts=frozenset(h.lower() for h in allowed_private_hosts),
            resolver=resolver or system_resolver,
        )

    def addresses_for(self, host: str, port: int) -> list[str]:
        """Addresses to connect to for host:port; raises BlockedAddressError when none may be used."""
        bare = host.strip("[]")
        try:
            literal: IPAddress | None = ipaddress.ip_address(bare)
        except ValueError:
            literal = None
        candidates = [str(literal)] if literal is not None else list(self.resolver(bare, port))
        if not candidates:
            raise NameResolutionFailedError(f"{host} has no address")
        if self.allow_private_networks or _host_port_key(bare, port) in self.allowed_private_hosts:
            return candidates
        allowed = [a for a in candidates if is_public_address(ipaddress.ip_address(a))]
        if not allowed:
            raise BlockedAddressError(
                f"{host}:{port} resolves to non-public address {', '.join(candidates)}; refused"
            )
        # Connect only to public addresses even when a name also resolves to private ones.
        return allowed
