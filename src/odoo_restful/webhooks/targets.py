"""Where a webhook may be sent: SSRF checks on the receiver's URL.

Checked on every delivery, after DNS resolution (a name may point elsewhere
tomorrow), and the sender connects to the address checked here, never re-resolving.
Loopback, private, link-local, shared (CGNAT), multicast, reserved and unspecified
addresses are refused unless the operator allows private targets
(``--webhook-allow-private``); IPv4 mapped into IPv6 is judged as IPv4.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import BadRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_CHARS = 2048


@dataclass(frozen=True, slots=True)
class Target:
    """A checked receiver: connect to ``address``, send ``Host: host``."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def parse_url(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an http(s) URL without credentials; 400 otherwise."""
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS:
        raise BadRequest(f"url must be an http(s) URL of at most {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url.strip())
        hostname = parts.hostname
    except ValueError:  # an unclosed or invalid [IPv6] host
        raise BadRequest("url has an invalid host") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise BadRequest("url must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise BadRequest("url must not carry a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BadRequest("url has an invalid port") from None
    return parts.scheme, hostname, port


def forbidden(address: IPAddress) -> str | None:
    """Why a receiver may not be at ``address`` (None: a public address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "shared (carrier-grade NAT)"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"
    return None


_SHARED = ipaddress.IPv4Network("100.64.0.0/10")


async def resolve(url: str, *, allow_private: bool) -> Target:
    """The address to deliver ``url`` to; 400 when the URL is bad or every address of
    its host is forbidden (any forbidden address refuses the host: DNS answers rotate)."""
    scheme, host, port = parse_url(url)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise BadRequest(f"url: cannot resolve {host!r}") from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise BadRequest(f"url: cannot resolve {host!r}")
    if not allow_private:
        for address in addresses:
            why = forbidden(address)
            if why:
                raise BadRequest(
                    f"url: {host!r} resolves to a {why} address ({address}); receivers on "
                    "such addresses need the operator flag --webhook-allow-private"
                )
    return Target(url, scheme, host, port, str(addresses[0]))
