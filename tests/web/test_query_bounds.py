"""Every number a query string carries is bounded: out of range is 422 naming the parameter,
never a database overflow (a 500) on SQLite or PostgreSQL."""
from __future__ import annotations

import pytest

from tests.web.api_helpers import error_of

HUGE = "9223372036854775808"        # 2**63: one past the largest 64-bit integer


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("path, query, field", [
    ("conversations", f"offset={HUGE}", "offset"),
    ("conversations", "offset=1000001", "offset"),
    ("conversations", f"limit={HUGE}", "limit"),
    ("conversations", "offset=-1", "offset"),
    ("conversations/00000000-0000-4000-8000-000000000000/messages", f"limit={HUGE}", "limit"),
    ("tasks", f"limit={HUGE}", "limit"),
    ("tasks", f"due_within_days={HUGE}", "due_within_days"),
    ("tasks", f"due_within_days=-{HUGE}", "due_within_days"),
])
async def test_out_of_range_numbers_are_422(client, signup, path, query, field):
    acct = await signup()
    resp = await client.get(f"/api/{acct.user_id}/{path}?{query}", headers=acct.headers)
    error = await error_of(resp, 422)
    assert [f["field"] for f in error["fields"]] == [field]


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_the_largest_offset_allowed_is_an_empty_page(client, signup):
    acct = await signup()
    resp = await client.get(f"/api/{acct.user_id}/conversations?offset=1000000",
                            headers=acct.headers)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["conversations"] == []
