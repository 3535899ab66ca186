"""The client's address, and the throttle base class that counts by it.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only as far as
this deployment's own proxies reach (settings TRUSTED_PROXY_COUNT or TRUSTED_PROXIES; the
default trusts none).  DRF's own `get_ident` takes the whole header when NUM_PROXIES is
unset, which let a client pick a fresh address, and a fresh throttle, on every request.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None


def client_address(request) -> str:
    """The address of the first hop this deployment does not trust (the socket's by default).

    The chain is X-Forwarded-For's entries then REMOTE_ADDR, nearest last.  With
    TRUSTED_PROXY_COUNT = N the N nearest hops are proxies; with TRUSTED_PROXIES, hops inside
    those networks are.  An entry that is not an address ends the walk: what lies beyond it
    was written by the client.
    """
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR", "") or ""
    count, trusted = settings.TRUSTED_PROXY_COUNT, tuple(settings.TRUSTED_PROXIES)
    if not count and not trusted:
        return remote
    forwarded = [part for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, remote]
    client = remote
    networks = _networks(trusted) if trusted else ()
    for hops, entry in enumerate(reversed(chain)):
        address = _parse(entry)
        if address is None:
            break
        client = str(address)
        is_proxy = hops < count if count else any(address in net for net in networks)
        if not is_proxy:
            break
    return client


class AddressRateThrottle(SimpleRateThrottle):
    """DRF's cache-backed throttle, counting anonymous clients by `client_address`."""

    def get_ident(self, request) -> str:
        return client_address(request)
