"""The client address behind reverse proxies (``trusted_proxies``), and the log-in throttle
that counts failures per address."""
from __future__ import annotations

import pytest

from taskpulse.config import ConfigError, load_config
from taskpulse.keys import LOGIN_THROTTLE
from taskpulse.web.proxies import forwarded_client, parse_networks
from tests.conftest import TEST_SECRET, make_config
from tests.web.api_helpers import error_of

PROXIES = parse_networks(["10.0.0.1", "192.168.0.0/16", "::1"])


@pytest.mark.parametrize("peer, forwarded, client", [
    # the peer is not a trusted proxy: the header is anyone's to write, ignored
    ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),
    # a trusted proxy: the address it received the request from
    ("10.0.0.1", ["198.51.100.1"], "198.51.100.1"),
    # a client-written entry on the left is never believed
    ("10.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),
    # a chain of trusted proxies: the last untrusted entry
    ("10.0.0.1", ["6.6.6.6, 198.51.100.1, 192.168.4.4"], "198.51.100.1"),
    ("10.0.0.1", ["6.6.6.6", "198.51.100.1, 192.168.4.4"], "198.51.100.1"),  # two headers
    ("::1", ["2001:db8::7"], "2001:db8::7"),
    ("10.0.0.1", ["198.51.100.1:51234"], "198.51.100.1"),                  # with a port
    ("10.0.0.1", ["[2001:db8::7]:443"], "2001:db8::7"),
    ("::ffff:10.0.0.1", ["198.51.100.1"], "198.51.100.1"),                  # IPv4-mapped
    # a trusted proxy that sent no header, or only trusted hops
    ("10.0.0.1", [], "10.0.0.1"),
    ("10.0.0.1", ["192.168.1.1, 192.168.2.2"], "192.168.1.1"),
])
def test_the_client_is_the_last_untrusted_forwarded_address(peer, forwarded, client):
    assert forwarded_client(peer, forwarded, PROXIES) == client


def test_without_trusted_proxies_the_header_is_ignored():
    assert forwarded_client("10.0.0.1", ["198.51.100.1"], ()) == "10.0.0.1"


def test_trusted_proxies_setting_is_validated_and_read_from_the_environment(tmp_path):
    config = load_config({"TASKPULSE_ENV": "test", "TASKPULSE_SECRET_KEY": TEST_SECRET,
                          "TASKPULSE_VAR_DIR": str(tmp_path),
                          "TASKPULSE_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12"})
    assert config.trusted_proxies == ("10.0.0.1", "172.16.0.0/12")
    assert make_config(var_dir=str(tmp_path)).trusted_proxies == ()
    with pytest.raises(ConfigError, match="trusted_proxies.*'proxy.local'"):
        make_config(var_dir=str(tmp_path), trusted_proxies="10.0.0.1,proxy.local")


async def fail_from(client, address: str | None, email: str = "ann@example.com"):
    headers = {"X-Forwarded-For": address} if address else {}
    return await client.post("/api/auth/login", json={"email": email, "password": "nope"},
                             headers=headers)


@pytest.fixture
def proxies() -> tuple[str, ...]:
    """The test server's peer is 127.0.0.1: trust it, like a proxy on the same host."""
    return ("127.0.0.1",)


@pytest.fixture
def config(config, proxies):
    return config.replace(login_max_failures=2, trusted_proxies=proxies)


async def test_behind_a_trusted_proxy_failures_count_per_forwarded_client(client, app):
    for i in range(2):
        await error_of(await fail_from(client, "198.51.100.1", f"guess{i}@example.com"), 401)
    throttle = app[LOGIN_THROTTLE]
    assert await throttle.retry_after("addr:198.51.100.1") > 0
    assert await throttle.retry_after("addr:127.0.0.1") == 0          # not the proxy
    resp = await fail_from(client, "198.51.100.1", "other@example.com")
    assert (await error_of(resp, 429))["code"] == "too_many_attempts"
    # another client behind the same proxy is not locked out by the first one
    await error_of(await fail_from(client, "198.51.100.2", "third@example.com"), 401)


async def test_a_spoofed_left_entry_does_not_escape_the_throttle(client, app):
    for i in range(2):
        await error_of(await fail_from(client, f"1.2.3.{i}, 198.51.100.1",
                                       f"guess{i}@example.com"), 401)
    resp = await fail_from(client, "9.9.9.9, 198.51.100.1", "next@example.com")
    assert (await error_of(resp, 429))["code"] == "too_many_attempts"


@pytest.mark.parametrize("proxies", [()])
async def test_by_default_the_header_cannot_pick_the_address(client, app):
    for i in range(2):
        await error_of(await fail_from(client, f"198.51.100.{i}", f"guess{i}@example.com"),
                       401)
    assert await app[LOGIN_THROTTLE].retry_after("addr:127.0.0.1") > 0
    resp = await fail_from(client, "198.51.100.77", "next@example.com")
    assert (await error_of(resp, 429))["code"] == "too_many_attempts"
