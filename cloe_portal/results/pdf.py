"""Render the PDF documents (attestation, certificate, PV) with xhtml2pdf, offline.

Fonts: DejaVu Sans is embedded (static/fonts/, Bitstream Vera licence in
DejaVu-LICENSE.txt) so that accents render in every viewer. Rendering never touches the
network: ``link_callback`` resolves only files under static/ and answers every other URL
(http, https, file outside static/) with a blank local image, and the xhtml2pdf resource
policy refuses remote fetches as a second lock.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import segno
from flask import render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from cloe_portal.config import PROJECT_ROOT

STATIC_DIR = (PROJECT_ROOT / "static").resolve()
FONTS_DIR = STATIC_DIR / "fonts"
# A 1×1 transparent GIF: what a refused resource becomes (never an empty answer, which
# would make xhtml2pdf fall back to the original URL).
BLANK_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
_POLICY = ResourceAccessPolicy(allow_remote=False, base_dir=STATIC_DIR)


class PdfError(Exception):
    """xhtml2pdf reported errors while rendering."""


def link_callback(uri: str, rel: str | None = None) -> str:
    """Map a link of a PDF template to a local file under static/; refuse everything else."""
    if uri.startswith("data:"):
        return uri
    path = uri.removeprefix("/static/") if uri.startswith("/static/") else uri
    if "://" in path or path.startswith("//"):
        return BLANK_GIF
    candidate = (STATIC_DIR / path.lstrip("/")).resolve()
    if not candidate.is_file() or not candidate.is_relative_to(STATIC_DIR):
        return BLANK_GIF
    return str(candidate)


def html_to_pdf(html: str) -> bytes:
    """Turn an HTML string into PDF bytes (offline)."""
    out = io.BytesIO()
    status = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=link_callback,
                            resource_policy=_POLICY)
    if status.err:
        raise PdfError(f"xhtml2pdf: {status.err} error(s)")
    return out.getvalue()


def render_pdf(template: str, **context: object) -> bytes:
    """Render templates/pdf/<template> with Jinja, then to PDF."""
    return html_to_pdf(render_template(template, fonts_dir=FONTS_DIR.as_posix(), **context))


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as a PNG data URI (embedded in the PDF, no file)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=4, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def font_path(name: str) -> Path:
    """The embedded font file of that name."""
    return FONTS_DIR / name
