"""What a private upload may be: PDF, PNG or JPEG, told by its first bytes, within a size."""

from __future__ import annotations

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Detected type → (MIME type sent back, extensions accepted for it)
ALLOWED_TYPES = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
}


def sniff(head: bytes) -> str | None:
    """The file type from its first bytes (never from its name): pdf, png, jpeg or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def upload_problem(filename: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str | None:
    """Why an uploaded file is refused, or None (type by magic bytes, matching extension, size)."""
    if not data:
        return "Le fichier est vide."
    if len(data) > max_bytes:
        return f"Le fichier dépasse {max_bytes // (1024 * 1024)} Mo."
    kind = sniff(data[:16])
    if kind is None:
        return "Format refusé : seuls les fichiers PDF, PNG ou JPEG sont acceptés."
    name = (filename or "").lower()
    if not name.endswith(ALLOWED_TYPES[kind][1]):
        return (
            "Le contenu du fichier ne correspond pas à son extension "
            f"(c'est un fichier {kind.upper()}) : renommez-le ou exportez-le à nouveau."
        )
    return None
