"""Signing in through an organisation's OpenID Connect provider.

The provider only says who the person is. What they may see comes from their wmt account,
found by the username the provider vouches for, so a person without an account is turned away
however well their organisation knows them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.base_client import (  # type: ignore[import-untyped]
    MismatchingStateError,
    OAuthError,
)
from authlib.integrations.starlette_client import OAuth  # type: ignore[import-untyped]
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError
from starlette.concurrency import run_in_threadpool

from wmt.errors import NotFound, WmtError
from wmt.services.accounts import account_for_organisation
from wmt.web.common import TEMPLATES, safe_next
from wmt.web.consistency import store_of
from wmt.web.sessions import start_signed_in

DEFAULT_USERNAME_CLAIMS = ("preferred_username", "email")
REQUIRED_VARIABLES = ("WMT_OIDC_ISSUER", "WMT_OIDC_CLIENT_ID", "WMT_OIDC_CLIENT_SECRET")
_NEXT_KEY = "oidc_next"
_LOG = logging.getLogger(__name__)

router = APIRouter()


@dataclass(frozen=True)
class OidcSettings:
    """Where the organisation's provider is, how wmt is known to it, and how accounts match."""

    issuer: str
    client_id: str
    client_secret: str
    # Claims tried in order; the first one present is the wmt username.
    username_claims: tuple[str, ...] = DEFAULT_USERNAME_CLAIMS
    name: str = "your organisation"

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> OidcSettings | None:
        """The settings from WMT_OIDC_* variables; None when none of them is set."""
        given = {name: environment.get(name, "").strip() for name in REQUIRED_VARIABLES}
        if not any(given.values()):
            return None
        missing = [name for name, value in given.items() if not value]
        if missing:
            raise WmtError(
                "Signing in through an organisation needs "
                f"{', '.join(REQUIRED_VARIABLES)}; set {', '.join(missing)} too, "
                "or unset them all to use local accounts only."
            )
        claims = environment.get("WMT_OIDC_USERNAME_CLAIM", "")
        chosen = tuple(claim.strip() for claim in claims.split(",") if claim.strip())
        return cls(
            issuer=given["WMT_OIDC_ISSUER"],
            client_id=given["WMT_OIDC_CLIENT_ID"],
            client_secret=given["WMT_OIDC_CLIENT_SECRET"],
            username_claims=chosen or DEFAULT_USERNAME_CLAIMS,
            name=environment.get("WMT_OIDC_NAME", "").strip() or "your organisation",
        )


@dataclass(frozen=True)
class OrganisationSignIn:
    settings: OidcSettings
    provider: Any  # Authlib's client for the provider, which has no type information


def configure(app: FastAPI, settings: OidcSettings | None) -> None:
    """Offer organisation sign-in on this app, or not when there are no settings."""
    if settings is None:
        app.state.organisation_sign_in = None
        return
    provider = OAuth().register(
        "organisation",
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.discovery_url,
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )
    app.state.organisation_sign_in = OrganisationSignIn(settings, provider)


def organisation_name(request: Request) -> str | None:
    """For the sign-in page: the organisation people may sign in through, if any."""
    organisation: OrganisationSignIn | None = request.app.state.organisation_sign_in
    return organisation.settings.name if organisation is not None else None


TEMPLATES.env.globals["organisation_name"] = organisation_name


def _organisation(request: Request) -> OrganisationSignIn:
    organisation: OrganisationSignIn | None = request.app.state.organisation_sign_in
    if organisation is None:
        raise NotFound("Signing in through an organisation is not set up here.")
    return organisation


def _refused(request: Request, status: int, message: str) -> Response:
    return TEMPLATES.TemplateResponse(
        request, "sign_in_refused.html", {"message": message}, status_code=status
    )


@router.get("/sign-in/oidc")
async def start_organisation_sign_in(request: Request, next: str | None = None) -> Response:
    """Send the person to their organisation, remembering where to bring them back to."""
    organisation = _organisation(request)
    request.session[_NEXT_KEY] = safe_next(next)
    callback = str(request.url_for("finish_organisation_sign_in"))
    try:
        response: Response = await organisation.provider.authorize_redirect(request, callback)
    except httpx.HTTPError as error:
        return _unreachable(request, organisation.settings, error)
    return response


@router.get("/sign-in/oidc/callback", name="finish_organisation_sign_in")
async def finish_organisation_sign_in(request: Request) -> Response:
    """Check the provider's answer and sign in the wmt account it names."""
    organisation = _organisation(request)
    settings = organisation.settings
    target = safe_next(request.session.pop(_NEXT_KEY, None))
    try:
        token = await organisation.provider.authorize_access_token(
            request, claims_options=await _id_token_checks(organisation)
        )
    except MismatchingStateError:
        return _refused(
            request,
            400,
            "This sign-in did not start here or has expired, so you are not signed in. "
            "Go back to the sign-in page and try again.",
        )
    except OAuthError as error:
        # Only the OAuth error code: the description is the provider's text, not ours to log.
        _LOG.warning("organisation sign-in refused by the provider: %s", error.error)
        return _refused(
            request,
            400,
            f"{_capitalised(settings.name)} did not sign you in ({error.error}). Try again, or "
            "ask an administrator if it keeps happening.",
        )
    except JoseError as error:
        _LOG.warning(
            "organisation sign-in with an ID token that does not check out: %s",
            type(error).__name__,
        )
        return _refused(
            request,
            400,
            f"The answer from {settings.name} could not be checked, so you are not signed in. "
            "Try again, or ask an administrator if it keeps happening.",
        )
    except httpx.HTTPError as error:
        return _unreachable(request, settings, error)
    return await _sign_in_account(request, settings, token.get("userinfo"), target)


async def _id_token_checks(organisation: OrganisationSignIn) -> dict[str, Any]:
    """The ID token must come from the discovered issuer and be meant for this client."""
    metadata = await organisation.provider.load_server_metadata()
    issuer = metadata.get("issuer") or organisation.settings.issuer
    return {
        "iss": {"essential": True, "values": [issuer]},
        "aud": {"essential": True, "values": [organisation.settings.client_id]},
    }


async def _sign_in_account(
    request: Request, settings: OidcSettings, claims: Mapping[str, Any] | None, target: str
) -> Response:
    if not claims:
        return _refused(
            request,
            400,
            f"{_capitalised(settings.name)} did not say who you are, so you are not signed in. "
            "Ask an administrator to check the sign-in settings.",
        )
    username = next(
        (str(claims[claim]) for claim in settings.username_claims if claims.get(claim)), None
    )
    if username is None:
        return _refused(
            request,
            403,
            f"Your {settings.name} account has no {' or '.join(settings.username_claims)} "
            "that wmt could match to an account; ask an administrator to add it.",
        )
    account = await run_in_threadpool(account_for_organisation, store_of(request), username)
    if account is None:
        return _refused(
            request,
            403,
            f"Your organisation account {username} has no access to wmt yet; "
            "ask an administrator to add it.",
        )
    await run_in_threadpool(start_signed_in, request, account)
    return RedirectResponse(target, status_code=303)


def _unreachable(request: Request, settings: OidcSettings, error: httpx.HTTPError) -> Response:
    _LOG.warning("organisation sign-in could not reach the provider: %s", type(error).__name__)
    return _refused(
        request,
        502,
        f"wmt could not reach {settings.name}'s sign-in service. Try again later, or sign in "
        "with a wmt username and password if you have one.",
    )


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]
