"""Orals routes: one blueprint, views split by role (candidate/partner, assessor, referent)."""

from __future__ import annotations

from cloe_portal.orals import assessor_routes, candidate_routes, referent_routes  # noqa: F401
from cloe_portal.orals.blueprint import bp

blueprints = [bp]
