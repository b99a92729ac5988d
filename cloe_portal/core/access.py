"""Declared access rules on every route, and the one helper that loads an object the user may see.

Every view carries `view.access`: either ("public",) or ("roles", (role, ...)). The
access-matrix test walks app.url_map and fails on any endpoint without a declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from cloe_portal.accounts.models import ROLES
from cloe_portal.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

STAFF = ("coordinator", "referent")


def public(view: F) -> F:
    """Declare a view reachable without logging in."""
    view.access = ("public",)  # type: ignore[attr-defined]
    return view


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow only logged-in users with one of `roles`; coordinators may act as referents."""
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
    allowed = set(roles)
    if "referent" in allowed:
        allowed.add("coordinator")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if request.headers.get("HX-Request") == "true":
                    abort(401)
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = ("roles", tuple(sorted(allowed)))  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


ANY_ROLE = ROLES


def load_or_404(model: type, object_id: int, may_see: Callable[[Any, Any], bool]) -> Any:
    """Load `model` by id and check the current user may see it; 404 either way (no leak)."""
    obj = db.session.get(model, object_id)
    if obj is None or not may_see(current_user, obj):
        abort(404)
    return obj


def same_partner(user: Any, partner_id: int | None) -> bool:
    """True for staff, or for a partner admin of that very organisation."""
    if user.role in STAFF:
        return True
    return user.role == "partner" and user.organisation_id is not None and (
        user.organisation_id == partner_id
    )
