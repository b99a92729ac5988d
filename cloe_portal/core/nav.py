"""The navigation bar: each feature registers its entries; the bar shows only the user's role's."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from werkzeug.routing import BuildError


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    order: int


_NAV: dict[str, list[NavItem]] = {}
_HOME: dict[str, str] = {}


def register_nav(roles: tuple[str, ...] | list[str], label: str, endpoint: str, order: int = 50) -> None:
    """Add a navigation entry for these roles (idempotent)."""
    for role in roles:
        items = _NAV.setdefault(role, [])
        if all(i.endpoint != endpoint for i in items):
            items.append(NavItem(label, endpoint, order))
            items.sort(key=lambda i: (i.order, i.label))


def set_home(role: str, endpoint: str) -> None:
    """Choose the page a role lands on after login."""
    _HOME[role] = endpoint


def home_endpoint(role: str) -> str:
    """The landing endpoint of a role."""
    return _HOME.get(role, "core.dashboard")


def nav_for(role: str) -> list[tuple[str, str, str]]:
    """(label, url, endpoint) entries of a role whose endpoints exist."""
    from flask_babel import gettext

    out = []
    for item in _NAV.get(role, []):
        try:
            # Labels are French msgids, translated when shown (English interface).
            out.append((gettext(item.label), url_for(item.endpoint), item.endpoint))
        except BuildError:
            continue
    return out
