"""Bad input to the tasks API: always a 4xx JSON error naming the problem, never a 500."""
from __future__ import annotations

import pytest

from tests.web.api_helpers import error_of, list_titles, new_task, tasks_url


@pytest.mark.parametrize("body, field", [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "t" * 256}, "title"),
    ({"title": "ok", "description": "d" * 2001}, "description"),
    ({"title": 5}, "title"),
    ({"title": None}, "title"),
    ({"title": ["a"]}, "title"),
    ({"title": "ok", "completed": "yes"}, "completed"),
    ({"title": "ok", "completed": 1}, "completed"),
    ({"title": "ok", "priority": "urgent"}, "priority"),
    ({"title": "ok", "priority": None}, "priority"),
    ({"title": "ok", "due_date": "tomorrow"}, "due_date"),
    ({"title": "ok", "due_date": "2030-02-30"}, "due_date"),
    ({"title": "ok", "due_date": 20300101}, "due_date"),
    ({"title": "ok", "owner_id": "someone"}, "owner_id"),
    ({"title": "ok", "id": "11111111-1111-1111-1111-111111111111"}, "id"),
])
async def test_invalid_create_is_422_naming_the_field(client, signup, body, field):
    acct = await signup()
    error = await error_of(await client.post(tasks_url(acct), json=body,
                                             headers=acct.headers), 422)
    assert error["code"] == "validation_error"
    assert error["message"].startswith(field + ":")
    assert error["fields"][0]["field"] == field
    assert await list_titles(client, acct) == []


@pytest.mark.parametrize("body, field", [
    ({"title": None}, "title"),
    ({"title": ""}, "title"),
    ({"description": None}, "description"),
    ({"priority": None}, "priority"),
    ({"completed": None}, "completed"),
    ({"completed": "true"}, "completed"),
    ({"colour": "red"}, "colour"),
])
async def test_invalid_patch_is_422_and_changes_nothing(client, signup, body, field):
    acct = await signup()
    task = await new_task(client, acct, title="same")
    error = await error_of(await client.patch(tasks_url(acct, task["id"]), json=body,
                                              headers=acct.headers), 422)
    assert error["fields"][0]["field"] == field
    resp = await client.get(tasks_url(acct, task["id"]), headers=acct.headers)
    assert (await resp.json())["task"] == task


async def test_put_needs_a_title(client, signup):
    acct = await signup()
    task = await new_task(client, acct)
    error = await error_of(await client.put(tasks_url(acct, task["id"]), json={},
                                            headers=acct.headers), 422)
    assert error["fields"][0]["field"] == "title"


@pytest.mark.parametrize("body", [{"completed": "no"}, {"completed": None}, {"done": True}])
async def test_invalid_complete_body_is_422(client, signup, body):
    acct = await signup()
    task = await new_task(client, acct)
    await error_of(await client.patch(tasks_url(acct, task["id"], "/complete"), json=body,
                                      headers=acct.headers), 422)


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"title": "a",}', b"[" * 5000,
                                 b'{"title": NaN}', b"\xff\xfe"])
async def test_malformed_json_is_400_invalid_json(client, signup, raw):
    acct = await signup()
    resp = await client.post(tasks_url(acct), data=raw, headers={
        **acct.headers, "Content-Type": "application/json"})
    assert (await error_of(resp, 400))["code"] == "invalid_json"


@pytest.mark.parametrize("raw", [b"[]", b'"title"', b"42", b"null"])
async def test_json_that_is_not_an_object_is_400(client, signup, raw):
    acct = await signup()
    resp = await client.post(tasks_url(acct), data=raw, headers={
        **acct.headers, "Content-Type": "application/json"})
    error = await error_of(resp, 400)
    assert error["code"] == "invalid_json" and "object" in error["message"]


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain",
                                          "multipart/form-data; boundary=x"])
async def test_a_body_that_is_not_json_is_415(client, signup, content_type):
    acct = await signup()
    resp = await client.post(tasks_url(acct), data=b'{"title": "a"}', headers={
        **acct.headers, "Content-Type": content_type})
    error = await error_of(resp, 415)
    assert error["code"] == "unsupported_media_type"
    assert "application/json" in error["message"]


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "application/merge-patch+json", None])
async def test_json_content_types_and_a_missing_one_are_accepted(client, signup, content_type):
    acct = await signup()
    headers = dict(acct.headers)
    if content_type:
        headers["Content-Type"] = content_type
    resp = await client.post(tasks_url(acct), data=b'{"title": "a"}', headers=headers,
                             skip_auto_headers=["Content-Type"])
    assert resp.status == 201, await resp.text()


async def test_oversized_body_is_413_json(client, signup, config):
    acct = await signup()
    big = {"title": "a", "description": "x" * (config.max_body_bytes + 10)}
    error = await error_of(await client.post(tasks_url(acct), json=big,
                                             headers=acct.headers), 413)
    assert error["code"] == "payload_too_large"
    assert error["max_bytes"] == config.max_body_bytes


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_nul_characters_are_refused_before_the_database(client, signup):
    acct = await signup()
    for body in ({"title": "a\u0000b"}, {"title": "ok", "description": "\u0000"}):
        error = await error_of(await client.post(tasks_url(acct), json=body,
                                                 headers=acct.headers), 422)
        assert "NUL" in error["message"]
    assert await list_titles(client, acct) == []


@pytest.mark.parametrize("query, field", [("?status=done", "status"), ("?limit=0", "limit"),
                                          ("?limit=x", "limit"), ("?colour=red", "colour")])
async def test_bad_list_query_is_422_naming_the_parameter(client, signup, query, field):
    acct = await signup()
    error = await error_of(await client.get(tasks_url(acct) + query,
                                            headers=acct.headers), 422)
    assert error["fields"][0]["field"] == field
