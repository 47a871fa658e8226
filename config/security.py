"""Client IP for lockouts and logs: X-Forwarded-For only from our proxies."""

import ipaddress

from django.conf import settings


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address the request came from.

    X-Forwarded-For is trusted only when the direct peer (REMOTE_ADDR) is one
    of TRUSTED_PROXIES; then the right-most address that is not itself a
    trusted proxy is the client. Anyone else can write any header.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _parse(hop)
        if address is None:
            break
        if str(address) not in trusted:
            return str(address)
    return remote
