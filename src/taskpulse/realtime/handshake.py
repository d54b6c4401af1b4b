"""Who is connecting: the token of a Socket.IO connect request, and the origin policy.

The token is taken from, in order: the ``auth`` payload ``{token}``, an
``Authorization: Bearer`` header, a ``token`` query parameter, the session cookie. The
cookie counts only when the request names its origin (``Origin``, else ``Referer``) and
that origin is this site's own or one configured in ``cors_allowed_origins``: a browser
sends the cookie to any site's WebSocket, so a page on another origin must not be able to
ride on it (cross-site WebSocket hijacking).
"""
from __future__ import annotations

from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from taskpulse.web.auth import COOKIE_NAME

Environ = dict[str, Any]


@dataclass(frozen=True)
class Credentials:
    token: str | None      # None: nothing sent; "": sent but malformed
    source: str            # auth | header | query | cookie | none


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def request_origin(environ: Environ) -> str | None:
    """The origin the request says it comes from: ``Origin``, else the ``Referer``'s."""
    origin = environ.get("HTTP_ORIGIN")
    if origin:
        return _origin_of(origin) or origin.lower()
    referer = environ.get("HTTP_REFERER")
    return _origin_of(referer) if referer else None


def own_origins(environ: Environ) -> set[str]:
    """This server's own origin(s) as the client sees them (``Host``, or the proxy's)."""
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    host = environ.get("HTTP_HOST")
    origins = {f"{scheme}://{host}".lower()} if host else set()
    fwd_host = environ.get("HTTP_X_FORWARDED_HOST")
    fwd_proto = environ.get("HTTP_X_FORWARDED_PROTO")
    if fwd_host or fwd_proto:
        proto = (fwd_proto or scheme).split(",")[0].strip()
        name = (fwd_host or host or "").split(",")[0].strip()
        if name:
            origins.add(f"{proto}://{name}".lower())
    return origins


class OriginPolicy:
    """Which origins may open a socket, and which may authenticate it with the cookie."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.any = "*" in allowed
        self.listed = frozenset(o.rstrip("/").lower() for o in allowed if o != "*")

    def allows_socket(self, origin: str | None, environ: Environ | None = None) -> bool:
        """For Engine.IO's CORS check: same origin, a listed origin, or ``*``."""
        if not origin:
            return True     # not a browser page (mobile SDKs, servers)
        origin = origin.lower()
        return self.any or origin in self.listed or origin in own_origins(environ or {})

    def allows_cookie(self, environ: Environ) -> bool:
        """Cookie auth only for this site's pages or listed origins (never via ``*``)."""
        origin = request_origin(environ)
        return origin is not None and (origin in self.listed or origin in own_origins(environ))


def _bearer(environ: Environ) -> str | None:
    header = environ.get("HTTP_AUTHORIZATION")
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
    bearer = _bearer(environ)
    if bearer is not None:
        return Credentials(bearer, "header")
    query = _query_token(environ)
    if query is not None:
        return Credentials(query, "query")
    cookie = _cookie_token(environ)
    if cookie is not None:
        return Credentials(cookie, "cookie")
    return Credentials(None, "none")


def requested_last_event_id(auth: Any) -> tuple[bool, str | None]:
    """Whether the client asked for catch-up, and the id it sent (``None`` if unusable)."""
    if not isinstance(auth, dict) or auth.get("last_event_id") is None:
        return False, None
    value = auth["last_event_id"]
    return True, value if isinstance(value, str) else None


# What a later connect on the same Engine.IO connection reads (a client may leave the
# namespace and join it again without reconnecting); see compact_environ.
ENVIRON_KEPT = frozenset({
    "HTTP_ORIGIN", "HTTP_REFERER", "HTTP_HOST", "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_AUTHORIZATION", "HTTP_COOKIE",
    "QUERY_STRING", "REMOTE_ADDR", "wsgi.url_scheme", "aiohttp.request"})


def compact_environ(environ: Environ) -> None:
    """Keep only what the handshake reads. python-engineio builds the environ from every
    request header and python-socketio keeps it for the connection's whole life (~1.2 KB
    of an idle connection); it is trimmed in place because the same dict is referenced
    by the request handling that serves a WebSocket connection."""
    kept = {k: environ[k] for k in ENVIRON_KEPT if k in environ}
    environ.clear()     # frees the table; deleting keys one by one would not
    environ.update(kept)
