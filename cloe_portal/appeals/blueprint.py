"""The appeals blueprint, shared by the per-role route modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("appeals", __name__)
