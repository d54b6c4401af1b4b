import pytest


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_signup_then_create_and_list_a_task(client, signup):
    acct = await signup()
    resp = await client.post(f"/api/{acct.user_id}/tasks", json={"title": "buy milk"},
                             headers=acct.headers)
    assert resp.status == 201
    resp = await client.get(f"/api/{acct.user_id}/tasks", headers=acct.headers)
    body = await resp.json()
    assert [t["title"] for t in body["tasks"]] == ["buy milk"]
