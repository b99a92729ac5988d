"""Appeals routes: one blueprint, views split by role (filing, referent, assessor)."""

from __future__ import annotations

from cloe_portal.appeals import assessor_routes, filing_routes, referent_routes  # noqa: F401
from cloe_portal.appeals.blueprint import bp

blueprints = [bp]
