"""The API tokens page on a real server: a user's own tokens only, the secret shown once
and never cached, revoking after a confirmation, and the tokens really working."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from alliedforge.domain.access.caller import Role
from alliedforge.scenario import load_scenario

from live_api import Person
from shared_data import GOLDEN
from web_site import BACKENDS, Site, live_site, token

SECRET = re.compile(r'id="secret" class="secret" value="(afg_[A-Za-z0-9_-]+)"')


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    scenario = load_scenario(GOLDEN / "tiny")
    people = [
        Person("own-desk", Role.NATION, nation="N00"),
        Person("other-desk", Role.NATION, nation="N01"),
        Person("admin", Role.ADMIN, nationality="N00"),
    ]
    with live_site(request.param, tmp_path_factory.mktemp("tokens"), scenario, people) as live:
        yield live


def create(client: httpx.Client, name: str, days: str = "30") -> httpx.Response:
    form = client.get("/tokens")
    assert form.status_code == 200
    return client.post("/tokens", data={"csrf_token": token(form), "name": name, "days": days})


def secret_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    found = SECRET.search(response.text)
    assert found is not None
    return found.group(1)


def listed(client: httpx.Client) -> list[dict[str, Any]]:
    tokens: list[dict[str, Any]] = client.get("/tokens?format=json").json()["tokens"]
    return tokens


def me(site: Site, secret: str) -> httpx.Response:
    """`/api/v1/me` with the token alone (no session cookie)."""
    with site.client() as api:
        return api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


def test_tokens_need_sign_in(site: Site) -> None:
    with site.client() as client:
        for response in (client.get("/tokens"), client.get("/tokens/1/revoke")):
            assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_a_new_token_is_shown_once_uncached_and_works(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        before = listed(client)
        assert [row["name"] for row in before] == ["tests"]  # the test people's own token
        created = create(client, "nightly <export>")
        secret = secret_of(created)
        assert created.headers["cache-control"] == "no-store"
        assert created.text.count(secret) == 1
        assert "nightly &lt;export&gt;" in created.text
        assert "<export>" not in created.text
        assert me(site, secret).json()["name"] == "own-desk"
        page = client.get("/tokens")
        assert "nightly &lt;export&gt;" in page.text
        fingerprint = hashlib.sha256(secret.encode()).hexdigest()
        for shown in (page.text, client.get("/tokens?format=json").text):
            assert secret not in shown
            assert fingerprint not in shown
            assert "token_hash" not in shown
        rows = listed(client)
        assert [row["name"] for row in rows] == ["tests", "nightly <export>"]
        assert rows[1]["state"] == "active"
        assert set(rows[1]) == {
            "id",
            "name",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "state",
        }
        assert rows[1]["last_used_at"] is not None  # the call to /me above used it


def test_wrong_fields_are_shown_and_nothing_is_created(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        count = len(listed(client))
        for name, days, field in (
            ("x", "abc", "days"),
            ("x", "0", "days"),
            ("x", "367", "days"),
            ("  ", "30", "name"),
        ):
            refused = create(client, name, days)
            assert refused.status_code == 422
            assert f'id="{field}-error"' in refused.text
            assert 'aria-invalid="true"' in refused.text
            assert "afg_" not in refused.text
        assert len(listed(client)) == count
        forged = client.post("/tokens", data={"csrf_token": "0" * 64, "name": "x", "days": "30"})
        assert forged.status_code == 403
        assert len(listed(client)) == count


def test_revoking_asks_first_and_then_stops_the_token(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        secret = secret_of(create(client, "to revoke"))
        token_id = next(row["id"] for row in listed(client) if row["name"] == "to revoke")
        page = client.get("/tokens")
        assert f'href="/tokens/{token_id}/revoke"' in page.text
        confirm = client.get(f"/tokens/{token_id}/revoke")
        assert confirm.status_code == 200
        assert "Revoke API token “to revoke”?" in confirm.text
        assert f'action="/tokens/{token_id}/revoke"' in confirm.text
        assert client.post(f"/tokens/{token_id}/revoke").status_code == 403  # no CSRF token
        assert me(site, secret).status_code == 200
        done = client.post(f"/tokens/{token_id}/revoke", data={"csrf_token": token(confirm)})
        assert (done.status_code, done.headers["location"]) == (303, "/tokens")
        assert me(site, secret).status_code == 401
        row = next(row for row in listed(client) if row["id"] == token_id)
        assert row["state"] == "revoked"
        assert row["revoked_at"] is not None
        assert f'href="/tokens/{token_id}/revoke"' not in client.get("/tokens").text


@pytest.mark.parametrize("intruder", ["other-desk", "admin"])
def test_another_users_token_does_not_exist_for_anyone_else(site: Site, intruder: str) -> None:
    with site.signed_in("own-desk") as owner:
        secret = secret_of(create(owner, f"mine, not {intruder}'s"))
        token_id = listed(owner)[-1]["id"]
    with site.signed_in(intruder) as client:
        assert token_id not in {row["id"] for row in listed(client)}
        page = client.get(f"/tokens/{token_id}/revoke")
        assert page.status_code == 404
        assert "mine, not" not in page.text
        form = {"csrf_token": token(client.get("/tokens"))}
        refused = client.post(f"/tokens/{token_id}/revoke", data=form)
        assert refused.status_code == 404
        assert "Not found" in refused.text
    assert me(site, secret).status_code == 200
