"""Private uploads: checked by content, stored outside static/ under a random name, served as
attachments.

Partner application documents and problem-report attachments share this: each feature keeps
its files in a folder of its own under ``UPLOAD_DIR`` and the file's facts (name shown,
stored name, type, size, SHA-256) in its own table.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, current_app, send_file

from cloe_portal.rules.text import clean_filename
from cloe_portal.rules.uploads import ALLOWED_TYPES, MAX_UPLOAD_BYTES, sniff, upload_problem

EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


class UploadRefused(Exception):
    """The file is refused; the message is French and safe to show beside the field."""


@dataclass(frozen=True)
class SavedFile:
    """What a feature keeps about a stored file."""

    original_name: str
    stored_name: str
    mimetype: str
    size: int
    sha256: str


def upload_dir(folder: str) -> Path:
    """A feature's upload folder under the instance's UPLOAD_DIR (created on first use)."""
    path = Path(current_app.config["UPLOAD_DIR"]) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def request_limit_bytes() -> int:
    """The largest file a form with one upload accepts: the request size limit (MAX_UPLOAD_MB)."""
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or MAX_UPLOAD_BYTES)


def save_private(folder: str, filename: str, data: bytes,
                 max_bytes: int = MAX_UPLOAD_BYTES) -> SavedFile:
    """Check a file (type by its bytes, matching extension, size) and store it; raise UploadRefused."""
    problem = upload_problem(filename, data, max_bytes)
    if problem:
        raise UploadRefused(problem)
    stored_name = secrets.token_hex(20)
    (upload_dir(folder) / stored_name).write_bytes(data)
    return SavedFile(
        original_name=clean_filename(Path(filename).name)[:255] or "document",
        stored_name=stored_name,
        mimetype=ALLOWED_TYPES[sniff(data[:16])][0],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def send_private(folder: str, stored_name: str, mimetype: str, download_name: str) -> Response:
    """Send a stored file as an attachment that no browser renders in the portal's origin."""
    path = upload_dir(folder) / stored_name
    if not path.is_file():
        abort(404)
    # At most MAX_UPLOAD_MB: read at once, so no file handle outlives the request.
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=mimetype, as_attachment=True,
                         download_name=download_name, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response
