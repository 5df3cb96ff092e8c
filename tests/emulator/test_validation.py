"""Malformed requests answer 400 validation_error naming the field, never 422."""

from __future__ import annotations

import pytest

from firmtrace_pulumi.emulator.admin_client import Registration

from .conftest import Connect
from .helpers import expect_error


def test_unknown_body_fields_are_400(as_owner, owner: Registration):
    response = as_owner.post("/api_key", json={"account_id": owner.account_id, "colour": "red"})
    expect_error(response, 400, "validation_error", field="colour")


def test_unknown_query_parameters_are_400(as_owner, owner: Registration):
    response = as_owner.get("/api_key", params={"account_id": owner.account_id, "page": "2"})
    expect_error(response, 400, "validation_error", field="page")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"end_date": "tomorrow"}, "end_date"),
        ({"end_date": "2030-02-30"}, "end_date"),
        ({"name": 12}, "name"),
        ({"account_id": ["a"]}, "account_id"),
    ],
)
def test_wrong_types_name_the_field(as_owner, owner: Registration, body: dict, field: str):
    response = as_owner.post("/api_key", json={"account_id": owner.account_id, **body})
    expect_error(response, 400, "validation_error", field=field)


def test_missing_required_field_is_named(connect: Connect):
    response = connect().post("/login", json={"email": "a@b.example"})
    expect_error(response, 400, "validation_error", field="password")


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"{not json", {"content-type": "application/json"}),
        (b"[1, 2]", {"content-type": "application/json"}),
        (b"", {}),
    ],
)
def test_bodies_that_are_not_a_json_object_are_400(connect: Connect, content, headers):
    response = connect().post("/login", content=content, headers=headers)
    expect_error(response, 400, "validation_error")


@pytest.mark.parametrize(
    ("path", "query"),
    [("/api_key", "?account_id=...&api_key_part=..."), ("/accounts", "?account_id=...")],
)
def test_a_delete_with_a_json_body_is_told_to_use_the_query_string(
    as_owner, owner: Registration, path: str, query: str
):
    key = as_owner.post("/api_key", json={"account_id": owner.account_id}).json()
    selector = {"account_id": owner.account_id, "api_key_part": key["api_key_part"]}
    if path == "/accounts":
        del selector["api_key_part"]
    response = as_owner.request("DELETE", path, json=selector)
    body = expect_error(response, 400, "validation_error", field="body")
    assert body["user_message"] == (
        f"DELETE /v1.3{path} takes its parameters in the query string ({query}),"
        " not in a request body."
    )
    assert key["api_key_part"] in {
        k["api_key_part"] for k in as_owner.get("/api_key", params=selector).json()["api_keys"]
    }, "nothing was deleted"


def test_account_id_may_be_a_json_number(as_owner):
    response = as_owner.post("/api_key", json={"account_id": 12345})
    expect_error(response, 404, "not_found")


def test_unknown_paths_and_methods_answer_the_error_shape(as_owner):
    expect_error(as_owner.get("/nope"), 404, "not_found")
    expect_error(as_owner.put("/api_key"), 405, "method_not_allowed")
