"""Bearer-token authentication for the JSON API.

An admin issues a per-user token (tracker.auth.services.issue_api_token, the CLI
`users token USERNAME`, or the admin page); only its SHA-256 is stored in User.api_token_hash.
A request under /api/ with `Authorization: Bearer <token>` and no session is that user, for
that request only: no session cookie is written and the idle timeout does not apply. Nothing
outside /api/ accepts a token, so the deny-by-default rule for pages is unchanged.
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
from flask import Flask, Request, g

from tracker.auth.models import User
from tracker.extensions import db, login_manager

API_PREFIX = "/api/"
MAX_TOKEN_LENGTH = 200


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if well formed."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


def user_for_token(token: str) -> User | None:
    """The active user whose token this is."""
    digest = token_hash(token)
    user = db.session.scalar(sa.select(User).where(User.api_token_hash == digest))
    if user is None or not user.active or not hmac.compare_digest(user.api_token_hash, digest):
        return None
    return user


def load_user_from_request(request: Request) -> User | None:
    """Flask-Login's request loader: runs only when the session holds no user."""
    if not request.path.startswith(API_PREFIX):
        return None
    token = bearer_token(request)
    if token is None:
        return None
    user = user_for_token(token)
    if user is not None:
        g.api_token_auth = True
    return user


def init_app(app: Flask) -> None:  # noqa: ARG001 - the login manager is global
    login_manager.request_loader(load_user_from_request)
