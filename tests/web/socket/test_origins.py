"""With cors_allowed_origins = ["*"], other sites' pages may connect with a token, but
never ride on the session cookie (cross-site WebSocket hijacking)."""
import pytest
import socketio

FOREIGN = "http://evil.example"


@pytest.fixture
def config(config):
    return config.replace(cors_allowed_origins=("*",))


async def test_foreign_origin_with_cookie_is_refused_by_the_namespace(signup, new_tab):
    acct = await signup()
    tab = new_tab()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await tab.connect(headers={"Cookie": f"taskpulse_token={acct.token}",
                                   "Origin": FOREIGN})
    assert tab.refusal["data"]["code"] == "unauthorized"
    assert "cookie" in tab.refusal["message"]


async def test_foreign_origin_with_token_in_auth_is_accepted(signup, open_tab):
    acct = await signup()
    tab = await open_tab(acct, headers={"Origin": FOREIGN})
    assert tab.welcome()["user_id"] == acct.user_id
