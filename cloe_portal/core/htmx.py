"""htmx responses: fragment or full page from the same template, and HX-* headers in one place."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template
from htmx_flask import make_response as hx_make_response
from htmx_flask import request


def is_htmx() -> bool:
    """True for a request sent by htmx (HX-Request: true)."""
    return bool(request.htmx)


def page_or_fragment(page_template: str, fragment: str, http_status: int = 200, **context: Any) -> Response:
    """Render the full page, or only its fragment for htmx; vary the cache on HX-Request."""
    template = fragment if is_htmx() else page_template
    response = make_response(render_template(template, **context), http_status)
    response.headers.add("Vary", "HX-Request")
    return response


def hx_redirect(url: str) -> Response:
    """Client-side redirect for htmx requests."""
    return hx_make_response("", 200, redirect=url)


def hx_trigger(response: Response, event: str) -> Response:
    """Add an HX-Trigger event to a response."""
    response.headers["HX-Trigger"] = event
    return response
