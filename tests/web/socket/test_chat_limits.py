"""chat_send / run_cancel with a slow assistant and a low chat limit."""
import pytest

from tests.web.socket.test_client_events import run_finished


@pytest.fixture
def config(config):
    return config.replace(chat_per_minute=2, offline_chunk_delay_ms=100)


async def test_run_cancel_stops_a_running_run_for_every_tab(signup, open_tab):
    acct = await signup()
    sender, other = await open_tab(acct), await open_tab(acct)
    started = await sender.call("chat_send", {"message": "what's still open?"})
    ack = await other.call("run_cancel", {"run_id": started["run_id"]})
    assert ack == {"ok": True, "run_id": started["run_id"]}
    for tab in (sender, other):
        await tab.wait_for(lambda tab=tab: run_finished(tab, started["run_id"]))
        last = [n for n, d in tab.stream() if d.get("run_id") == started["run_id"]][-1]
        assert last == "agent_cancelled"


async def test_chat_rate_limit_is_an_error_ack_with_retry_after(signup, open_tab):
    tab = await open_tab(await signup())
    for _ in range(2):
        assert "run_id" in await tab.call("chat_send", {"message": "hello"})
    ack = await tab.call("chat_send", {"message": "hello"})
    assert ack["error"]["code"] == "rate_limited"
    assert ack["error"]["retry_after"] >= 1
