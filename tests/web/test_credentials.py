"""Where the token comes from, and which origins may use the cookie (web/credentials.py)."""
from types import SimpleNamespace

from taskpulse.keys import CONFIG
from taskpulse.internals.idle_memory import compact_environ
from taskpulse.web.credentials import OriginPolicy, own_origins, request_origin
from taskpulse.web.socket.stream_opening import requested_last_event_id
from taskpulse.web.credentials import find_credentials as _find
from tests.conftest import make_config


def find_credentials(environ, auth):
    creds = _find(environ, auth)
    return creds.token, creds.source


HOST = {"wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:8080"}


def test_token_sources_are_tried_in_the_documented_order():
    environ = {**HOST, "HTTP_AUTHORIZATION": "Bearer header-token", "QUERY_STRING": "token=q",
               "HTTP_COOKIE": "taskpulse_token=cookie-token"}
    assert find_credentials(environ, {"token": "auth-token"}) == ("auth-token", "auth")
    assert find_credentials(environ, {}) == ("header-token", "header")
    environ.pop("HTTP_AUTHORIZATION")
    assert find_credentials(environ, None) == ("q", "query")
    environ["QUERY_STRING"] = "EIO=4&transport=websocket"
    assert find_credentials(environ, None) == ("cookie-token", "cookie")
    environ.pop("HTTP_COOKIE")
    assert find_credentials(environ, None) == (None, "none")


def test_malformed_tokens_are_marked_invalid_not_skipped():
    assert find_credentials(HOST, {"token": 42}) == ("", "auth")
    assert find_credentials({**HOST, "HTTP_AUTHORIZATION": "Basic abc"}, None) == ("", "header")
    assert find_credentials({**HOST, "HTTP_COOKIE": "other=1"}, None) == (None, "none")


def test_cookie_is_accepted_only_from_own_or_listed_origins():
    policy = OriginPolicy(("https://app.example.com",))
    assert policy.allows_cookie({**HOST, "HTTP_ORIGIN": "http://127.0.0.1:8080"})
    assert policy.allows_cookie({**HOST, "HTTP_ORIGIN": "https://app.example.com"})
    assert policy.allows_cookie({**HOST, "HTTP_REFERER": "http://127.0.0.1:8080/tasks"})
    assert not policy.allows_cookie({**HOST, "HTTP_ORIGIN": "http://evil.example"})
    assert not policy.allows_cookie({**HOST, "HTTP_ORIGIN": "http://localhost:8080"})
    assert not policy.allows_cookie(HOST)  # no Origin, no Referer: cannot tell


def test_wildcard_origin_opens_sockets_but_never_cookies():
    policy = OriginPolicy(("*",))
    assert policy.allows_socket("http://evil.example", HOST)
    assert not policy.allows_cookie({**HOST, "HTTP_ORIGIN": "http://evil.example"})


def test_default_policy_allows_same_origin_sockets_and_originless_clients():
    policy = OriginPolicy(())
    assert policy.allows_socket("http://127.0.0.1:8080", HOST)
    assert policy.allows_socket(None, HOST)
    assert not policy.allows_socket("http://evil.example", HOST)


def from_peer(peer, trusted_proxies=(), **headers):
    """An environ as python-engineio builds it, for a request from ``peer``."""
    request = SimpleNamespace(remote=peer, scheme="http",
                              app={CONFIG: make_config(trusted_proxies=list(trusted_proxies))})
    scheme = headers.get("HTTP_X_FORWARDED_PROTO", "http")    # as python-engineio sets it
    return {**HOST, "wsgi.url_scheme": scheme, "aiohttp.request": request, **headers}


FORWARDED = {"HTTP_X_FORWARDED_HOST": "tasks.example.com", "HTTP_X_FORWARDED_PROTO": "https"}


def test_proxy_forwarded_host_counts_as_own_origin():
    environ = from_peer("10.0.0.2", ("10.0.0.0/8",), **FORWARDED)
    assert own_origins(environ) == {"http://127.0.0.1:8080", "https://tasks.example.com"}
    assert request_origin({"HTTP_REFERER": "https://Tasks.Example.com/x?y"}) == (
        "https://tasks.example.com")


def test_forwarded_host_and_proto_are_ignored_unless_a_trusted_proxy_sent_them():
    for environ in (from_peer("203.0.113.9", ("10.0.0.0/8",), **FORWARDED),
                    from_peer("10.0.0.2", (), **FORWARDED), {**HOST, **FORWARDED}):
        assert own_origins(environ) == {"http://127.0.0.1:8080"}
    evil = {"HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_ORIGIN": "https://evil.example"}
    policy = OriginPolicy(())
    assert not policy.allows_socket("https://evil.example", from_peer("203.0.113.9", **evil))
    assert not policy.allows_cookie(from_peer("203.0.113.9", **evil))
    assert policy.allows_cookie(from_peer("127.0.0.1", ("127.0.0.1",), **evil))


def test_last_event_id_is_read_from_the_auth_payload():
    assert requested_last_event_id({"token": "t"}) == (False, None)
    assert requested_last_event_id({"last_event_id": "1-0"}) == (True, "1-0")
    assert requested_last_event_id({"last_event_id": 17}) == (True, None)
    assert requested_last_event_id("nonsense") == (False, None)


def test_compact_environ_keeps_what_a_later_connect_reads_in_the_same_dict() -> None:
    environ = {"HTTP_ORIGIN": "http://a", "HTTP_COOKIE": "c=1", "HTTP_AUTHORIZATION": "Bearer t",
               "QUERY_STRING": "EIO=4", "REMOTE_ADDR": "1.2.3.4", "wsgi.url_scheme": "http",
               "HTTP_HOST": "a", "HTTP_USER_AGENT": "x" * 200, "HTTP_ACCEPT_LANGUAGE": "en",
               "HTTP_SEC_WEBSOCKET_KEY": "k", "REQUEST_METHOD": "GET", "PATH_INFO": "/socket.io/"}
    same = environ
    compact_environ(environ)
    assert environ is same
    assert set(environ) == {"HTTP_ORIGIN", "HTTP_COOKIE", "HTTP_AUTHORIZATION", "QUERY_STRING",
                            "REMOTE_ADDR", "wsgi.url_scheme", "HTTP_HOST"}
    assert _find(environ, None).source == "header"


def test_a_native_clients_websocket_origin_naming_this_server_opens_a_socket():
    """socket.io-client-swift 16 (Starscream) sends its socket URL as Origin."""
    policy = OriginPolicy(())
    assert policy.allows_socket("ws://127.0.0.1:8080", HOST)
    assert policy.allows_socket("WS://127.0.0.1:8080", HOST)
    behind_tls = from_peer("127.0.0.1", ("127.0.0.1",), HTTP_HOST="tasks.example.com",
                           HTTP_X_FORWARDED_PROTO="https")
    assert policy.allows_socket("wss://tasks.example.com", behind_tls)
    assert policy.allows_socket("wss://tasks.example.com:443", behind_tls)
    for other in ("ws://127.0.0.1:9999", "ws://127.0.0.1", "ws://evil.example:8080",
                  "wss://127.0.0.1:8080", "ftp://127.0.0.1:8080"):
        assert not policy.allows_socket(other, HOST), other
    assert not policy.allows_cookie({**HOST, "HTTP_ORIGIN": "ws://127.0.0.1:8080"})
