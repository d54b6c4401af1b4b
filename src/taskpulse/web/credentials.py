"""Who is asking, for HTTP requests and Socket.IO connections alike: where the token is
taken from, and which origins are this site's own or allowed.

HTTP (``token_from_request``): an ``Authorization: Bearer`` header, else the session
cookie. A Socket.IO connect request (``find_credentials``), in order: the ``auth`` payload
``{token}``, an ``Authorization: Bearer`` header, a ``token`` query parameter, the session
cookie. The cookie counts for a socket only when the request names its origin
(``Origin``, else ``Referer``) and that origin is this site's own or one configured in
``cors_allowed_origins``: a browser sends the cookie to any site's WebSocket, so a page on
another origin must not be able to ride on it (cross-site WebSocket hijacking).

Some native clients name the socket URL itself as their origin: the Swift client
(socket.io-client-swift 16, Starscream) sends ``Origin: wss://host[:port]``. Such an origin
that names this server's own host and port may open a socket: it is no browser page (a
browser always sends its page's ``http(s)`` origin), so no other site is asking.
"""
from __future__ import annotations

from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from taskpulse.keys import CONFIG
from taskpulse.web.proxies import from_trusted_proxy

COOKIE_NAME = "taskpulse_token"


Environ = dict[str, Any]


@dataclass(frozen=True)
class Credentials:
    token: str | None      # None: nothing sent; "": sent but malformed
    source: str            # auth | header | query | cookie | none


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, lower-cased (None: not a URL with a host)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def request_origin(environ: Environ) -> str | None:
    """The origin the request says it comes from: ``Origin``, else the ``Referer``'s."""
    origin = environ.get("HTTP_ORIGIN")
    if origin:
        return origin_of(origin) or origin.lower()
    referer = environ.get("HTTP_REFERER")
    return origin_of(referer) if referer else None


def _via_trusted_proxy(environ: Environ) -> bool:
    """Whether the request's peer is one of ``trusted_proxies``."""
    request = environ.get("aiohttp.request")
    if request is None:
        return False
    return from_trusted_proxy(request.remote, request.app[CONFIG].trusted_proxies)


def own_origins(environ: Environ) -> set[str]:
    """This server's own origin(s) as the client sees them: ``Host`` on the connection's
    scheme, and the proxy's ``X-Forwarded-Host``/``-Proto`` when the request comes from
    one of ``trusted_proxies``. From anyone else those headers are ignored: a page on
    another site could name itself in them and pass for this one."""
    request = environ.get("aiohttp.request")
    # python-engineio fills wsgi.url_scheme from X-Forwarded-Proto, whoever sent it.
    scheme = str(request.scheme if request is not None
                 else environ.get("wsgi.url_scheme", "http"))
    host = environ.get("HTTP_HOST")
    origins = {f"{scheme}://{host}".lower()} if host else set()
    fwd_host = environ.get("HTTP_X_FORWARDED_HOST")
    fwd_proto = environ.get("HTTP_X_FORWARDED_PROTO")
    if (fwd_host or fwd_proto) and _via_trusted_proxy(environ):
        proto = (fwd_proto or scheme).split(",")[0].strip()
        name = (fwd_host or host or "").split(",")[0].strip()
        if name:
            origins.add(f"{proto}://{name}".lower())
    return origins


# The page scheme a WebSocket URL's scheme stands for, and each scheme's default port.
PAGE_SCHEMES = {"ws": "http", "wss": "https"}
DEFAULT_PORTS = {"http": "80", "https": "443"}


def page_origin(origin: str) -> str:
    """``origin`` as a page's origin: ``ws://`` as ``http://``, ``wss://`` as ``https://``,
    without the scheme's default port (``https://host:443`` is ``https://host``)."""
    scheme, sep, host = origin.lower().partition("://")
    scheme = PAGE_SCHEMES.get(scheme, scheme)
    default_port = DEFAULT_PORTS.get(scheme)
    if default_port and host.endswith(":" + default_port):
        host = host[:-len(default_port) - 1]
    return f"{scheme}{sep}{host}"


def names_own_server(origin: str, environ: Environ) -> bool:
    """``origin`` (a page's, or a native client's ``ws``/``wss`` one) is this server's own."""
    return page_origin(origin) in {page_origin(own) for own in own_origins(environ)}


class OriginPolicy:
    """Which origins may open a socket, and which may authenticate it with the cookie."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.any = "*" in allowed
        self.listed = frozenset(o.rstrip("/").lower() for o in allowed if o != "*")

    def allows_socket(self, origin: str | None, environ: Environ | None = None) -> bool:
        """For Engine.IO's CORS check: same origin (also a native client's ``ws(s)://`` one
        naming this server), a listed origin, or ``*``."""
        if not origin:
            return True     # not a browser page (mobile SDKs, servers)
        origin = origin.lower()
        return self.any or origin in self.listed or names_own_server(origin, environ or {})

    def allows_cookie(self, environ: Environ) -> bool:
        """Cookie auth only for this site's pages or listed origins (never via ``*``)."""
        origin = request_origin(environ)
        return origin is not None and (origin in self.listed or origin in own_origins(environ))


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header: None when there is no
    header, "" when it is not a bearer token (malformed: ``token_invalid``)."""
    if not header:
        return None
    scheme, _, value = str(header).partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else ""


def _query_token(environ: Environ) -> str | None:
    values = parse_qs(str(environ.get("QUERY_STRING", ""))).get("token")
    return values[0] if values else None


def _cookie_token(environ: Environ) -> str | None:
    request = environ.get("aiohttp.request")
    if request is not None:   # aiohttp's lenient parser (other sites' odd cookies are fine)
        return request.cookies.get(COOKIE_NAME) or None
    raw = environ.get("HTTP_COOKIE")
    if not raw:
        return None
    try:
        jar = SimpleCookie(str(raw))
    except CookieError:
        return None
    morsel = jar.get(COOKIE_NAME)
    return morsel.value if morsel and morsel.value else None


def find_credentials(environ: Environ, auth: Any) -> Credentials:
    """The first token the request carries, in the documented order."""
    if isinstance(auth, dict) and auth.get("token") is not None:
        token = auth["token"]
        return Credentials(token if isinstance(token, str) else "", "auth")
    bearer = bearer_token(environ.get("HTTP_AUTHORIZATION"))
    if bearer is not None:
        return Credentials(bearer, "header")
    query = _query_token(environ)
    if query is not None:
        return Credentials(query, "query")
    cookie = _cookie_token(environ)
    if cookie is not None:
        return Credentials(cookie, "cookie")
    return Credentials(None, "none")


# ---- HTTP requests ------------------------------------------------------------------

def token_from_request(request: web.Request) -> tuple[str | None, bool]:
    """The token and whether it came from the cookie."""
    bearer = bearer_token(request.headers.get("Authorization"))
    if bearer is not None:
        return bearer, False   # "" (malformed) -> token_invalid
    cookie = request.cookies.get(COOKIE_NAME)
    return (cookie, True) if cookie else (None, False)


def same_origin(request: web.Request) -> bool:
    """True when the Origin (or Referer) header names this site or a configured origin."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False
    origin = origin_of(source)
    if origin is None:
        return False   # "null" (sandboxed or privacy-sensitive contexts) or garbage
    if origin.partition("://")[2] == request.host.lower():
        return True
    return origin in (o.rstrip("/").lower() for o in request.app[CONFIG].cors_allowed_origins)
