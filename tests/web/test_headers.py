"""Security headers on every kind of response, and pages that need nothing inline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests import html
from wmt.web.headers import CONTENT_SECURITY_POLICY
from wmt.web.limits import LARGEST_BODY

SIGNED_IN = {
    "page": "/national/national/overview",
    "practitioner page": "/practitioner/S1/overview",
    "download": "/team/T1/overview?download=csv",
    "spreadsheet": "/team/T1/overview?download=xlsx",
    "history": "/team/T1/history",
    "api": "/api/national/national/overview",
    "api error": "/api/team/NOPE/overview",
    "openapi": "/api/openapi.json",
    "not found": "/team/NOPE/overview",
    "redirect": "/",
}
SIGNED_OUT = {
    "sign-in page": "/sign-in",
    "sign-in needed": "/national/national/overview",
    "style sheet": "/static/wmt.css",
}


def _check_always(headers: dict[str, str]) -> None:
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in headers["content-security-policy"].split("; ")
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("kind", SIGNED_IN)
def test_everything_behind_sign_in_carries_the_headers_and_is_never_cached(
    client: TestClient, kind: str
) -> None:
    response = client.get(SIGNED_IN[kind], follow_redirects=False)
    headers = {name.lower(): value for name, value in response.headers.items()}
    _check_always(headers)
    assert headers["cache-control"] == "no-store"
    assert headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("kind", SIGNED_OUT)
def test_pages_before_sign_in_carry_them_too(app: object, kind: str) -> None:
    with TestClient(app, base_url="https://testserver") as anonymous:  # type: ignore[arg-type]
        response = anonymous.get(SIGNED_OUT[kind], follow_redirects=False)
    assert response.status_code == (303 if kind == "sign-in needed" else 200), kind
    headers = {name.lower(): value for name, value in response.headers.items()}
    _check_always(headers)
    if kind == "style sheet":
        assert "no-store" not in headers.get("cache-control", "")
    else:
        assert headers["cache-control"] == "no-store"


def test_hsts_is_sent_only_over_https(app: object) -> None:
    with TestClient(app, base_url="http://testserver") as plain:  # type: ignore[arg-type]
        response = plain.get("/sign-in")
    assert "strict-transport-security" not in {name.lower() for name in response.headers}


def inline_code(page: html.Markup) -> list[str]:
    """Every script without a src, style element, style attribute and event handler."""
    found: list[str] = []
    for element in html.parse(page).elements():
        tag, names = element.tag, set(element.attributes)
        if tag == "script" and "src" not in names:
            found.append("inline script")
        if tag == "style":
            found.append("style element")
        if "style" in names:
            found.append(f"style attribute on <{tag}>")
        found += [f"{name} handler on <{tag}>" for name in names if name.startswith("on")]
    return found


@pytest.mark.parametrize(
    "path",
    [
        "/national/national/overview",
        "/team/T1/overview",
        "/team/T1/history",
        "/team/T1/caseload",
        "/team/T1/signals",
        "/team/T1/quality",
        "/practitioner/S1/overview",
        "/practitioner/S1/history",
    ],
)
def test_pages_need_nothing_the_policy_forbids(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert inline_code(response) == []


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    too_much = "x" * (LARGEST_BODY + 1)
    form = client.post("/sign-out", data={"csrf_token": too_much})
    assert form.status_code == 413
    api = client.put(
        "/api/practitioner/S1/contracted-hours",
        content=too_much.encode(),
        headers={"content-type": "application/json"},
    )
    assert api.status_code == 413
    assert "KiB" in api.json()["detail"]
    assert client.get("/national/national/overview").status_code == 200  # still signed in


def test_a_body_that_grows_past_the_limit_while_it_is_read_is_refused(
    client: TestClient,
) -> None:
    def chunks() -> Iterator[bytes]:  # no length declared: counted as it arrives
        for _ in range(LARGEST_BODY // 65536 + 2):
            yield b"x" * 65536

    response = client.post(
        "/sign-out",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
