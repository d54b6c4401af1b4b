"""deploy/nginx.conf as shipped (only its ports changed) in front of a server, listening on a
non-default port as in https://tasks.example.com:8443: a browser's requests name that port
in their Origin, and the server must see the same host and port to take them as its own."""
from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
import pytest

from tests.conftest import Account
from tests.web.socket.conftest import Tab

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


async def sign_up_from_the_page(site: str) -> Account:
    """The sign-up form's request, as a browser on the site's page sends it."""
    email, password = "page@example.com", "correct horse battery"
    async with aiohttp.ClientSession() as http:
        async with http.post(site + "/api/auth/signup",
                             json={"email": email, "password": password},
                             headers={"Origin": site, "Referer": site + "/signup"}) as resp:
            body = await resp.json()
            assert resp.status == 201, body
    return Account(body["user"]["id"], body["token"], email, password)


@pytest.mark.parametrize("transports", [["polling"], ["websocket"], ["polling", "websocket"]])
async def test_a_browser_page_behind_nginx_on_a_non_default_port_signs_up_and_goes_live(
        cluster, transports):
    server, = await cluster.start(1)
    site = await cluster.start_nginx([server])
    assert urlsplit(site).port not in (None, 80, 443)
    account = await sign_up_from_the_page(site)
    page = {"Origin": site, "Referer": site + "/tasks"}
    tabs = [Tab(site, transports), Tab(site, transports)]
    try:
        await tabs[0].connect({"token": account.token}, headers=page)
        await tabs[1].connect(None, headers={**page,   # the page's session cookie
                                             "Cookie": f"taskpulse_token={account.token}"})
        for tab in tabs:
            assert tab.welcome()["user_id"] == account.user_id
    finally:
        for tab in tabs:
            await tab.close()
