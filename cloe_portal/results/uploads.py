"""Private evidence files (identity rectification proof, appeal attachments): stored like the
partner applications' documents — under UPLOAD_DIR, never under static/, with a random name,
the type checked from the magic bytes (PDF, PNG, JPEG) and the SHA-256 kept."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, send_file

from cloe_portal.applications import checks
from cloe_portal.rules.text import clean_filename

EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


class UploadRefused(Exception):
    """The file cannot be accepted (French message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    """What a row keeps of a stored file."""

    original_name: str
    stored_name: str
    mimetype: str
    size: int
    sha256: str


def folder_path(folder: str) -> Path:
    """UPLOAD_DIR/<folder>, created on first use."""
    path = Path(current_app.config["UPLOAD_DIR"]) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_private(folder: str, filename: str, data: bytes) -> StoredFile:
    """Check and store one file under a random name; refuse anything but PDF, PNG or JPEG."""
    problem = checks.upload_problem(filename, data)
    if problem:
        raise UploadRefused(problem)
    kind = checks.sniff(data[:16])
    stored_name = secrets.token_hex(20)
    (folder_path(folder) / stored_name).write_bytes(data)
    return StoredFile(
        original_name=clean_filename(Path(filename).name)[:255] or "document",
        stored_name=stored_name, mimetype=checks.ALLOWED_TYPES[kind][0], size=len(data),
        sha256=hashlib.sha256(data).hexdigest())


def send_private(folder: str, stored_name: str, mimetype: str, download_name: str) -> Response:
    """Send a stored file as an attachment, never cached, with the extension of its real type."""
    # Read whole (5 MB at most): no file handle is left to the response's lifetime.
    data = (folder_path(folder) / stored_name).read_bytes()
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=download_name + EXTENSIONS.get(mimetype, ""),
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
