"""The namespace stays up when the agent is missing or fails unexpectedly."""
import pytest

from taskpulse.keys import AGENT


@pytest.fixture
def app(app):
    """An app whose agent is not wired (as before the agent existed)."""
    del app[AGENT]
    for ctx in list(app.cleanup_ctx):
        if getattr(ctx, "__name__", "") == "agent_ctx":
            app.cleanup_ctx.remove(ctx)
    return app


async def test_chat_without_an_agent_is_refused_cleanly(signup, open_tab):
    tab = await open_tab(await signup())
    for event, payload in (("chat_send", {"message": "hi"}), ("run_cancel", {"run_id": "r"})):
        ack = await tab.call(event, payload)
        assert ack["error"]["code"] == "agent_unavailable"
    assert "server_time" in await tab.call("ping")
