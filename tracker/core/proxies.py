"""The client's real address and scheme behind a reverse proxy (nginx): TRUSTED_PROXIES.

Behind nginx every request reaches the app from nginx's own address, so anything keyed on
``request.remote_addr`` (login throttling, the audit of sign-in attempts) would put every user
in one bucket. TRUSTED_PROXIES tells the app which proxies may say who the client is:

- empty (the default): no proxy is trusted, ``X-Forwarded-*`` headers are ignored;
- a number N (``1`` for one nginx in front): Werkzeug's ProxyFix trusting the last N
  ``X-Forwarded-For`` entries and the last ``X-Forwarded-Proto``/``X-Forwarded-Host`` value (the
  ones nginx's ``proxy_set_header`` writes);
- a comma-separated list of addresses or networks (``127.0.0.1``, ``10.0.0.0/8, ::1``): the
  headers are used only when the request comes from one of them, and the client is the first
  address, read from the right of ``X-Forwarded-For``, that is not a trusted proxy (what nginx's
  ``real_ip_recursive`` does). A client talking to the app directly cannot spoof its address.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("tracker")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_HOPS = 16


def parse(value: object) -> int | tuple[Network, ...] | None:
    """The TRUSTED_PROXIES setting as a hop count, a tuple of networks, or None (off)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    text = str(value).strip()
    if not text or text == "0":
        return None
    if text.isdigit():
        return min(int(text), MAX_HOPS)
    networks = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ValueError(
                f"TRUSTED_PROXIES: {part!r} is neither a hop count nor an address/network"
            ) from exc
    return tuple(networks) or None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxies:
    """WSGI middleware: apply ProxyFix only to requests from the trusted proxies, with the hop
    count their ``X-Forwarded-For`` chain shows."""

    def __init__(self, app: Callable[..., Any], networks: Iterable[Network]) -> None:
        self.app = app
        self.networks = tuple(networks)
        self._fixers: dict[int, ProxyFix] = {}

    def trusted(self, text: str | None) -> bool:
        address = _address(text or "")
        return address is not None and any(address in network for network in self.networks)

    def hops(self, environ: dict[str, Any]) -> int:
        """How many X-Forwarded-For entries to trust: up to and including the first one, from
        the right, that is not a trusted proxy (0 when the peer itself is not trusted)."""
        if not self.trusted(environ.get("REMOTE_ADDR")):
            return 0
        chain = [x.strip() for x in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [x for x in chain if x]
        hops = 0
        for entry in reversed(chain[-MAX_HOPS:]):
            if _address(entry) is None:
                break
            hops += 1
            if not self.trusted(entry):
                break
        return hops

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        hops = self.hops(environ)
        if hops == 0:
            return self.app(environ, start_response)
        fixer = self._fixers.get(hops)
        if fixer is None:
            fixer = self._fixers[hops] = ProxyFix(self.app, x_for=hops, x_proto=1, x_host=1)
        return fixer(environ, start_response)


def init_app(app: Flask) -> None:
    setting = parse(app.config.get("TRUSTED_PROXIES"))
    app.extensions["trusted_proxies"] = setting
    if setting is None:
        return
    if isinstance(setting, int):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=setting, x_proto=1, x_host=1)  # type: ignore[method-assign]
    else:
        app.wsgi_app = TrustedProxies(app.wsgi_app, setting)  # type: ignore[method-assign]


_warned = False


def client_address(request: Request, app: Flask) -> str:
    """The client's address for throttling and logs; warns once per process when a proxy
    forwards addresses the app was not told to trust (every client then shares one address)."""
    global _warned
    if (
        not _warned
        and app.extensions.get("trusted_proxies") is None
        and request.headers.get("X-Forwarded-For")
    ):
        _warned = True
        log.warning(
            "X-Forwarded-For received but TRUSTED_PROXIES is not set: every client behind the "
            "proxy shares the address %s for login throttling (see README, Deploying)",
            request.remote_addr,
        )
    return (request.remote_addr or "-")[:64]
