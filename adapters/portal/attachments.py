"""Dispute attachments: checked by their content, kept outside any web root in
the data folder, one folder per account."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_ID = re.compile(r"^[0-9a-f]{32}$")


class AttachmentRefused(ValueError):
    """Not a PDF, PNG or JPEG, or larger than allowed; ``code`` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def content_type(data: bytes) -> str | None:
    """The type the bytes really are, whatever the file name claims."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


class Attachments:
    """Stores and finds attachments under ``folder/<account id>/``."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def keep(self, account_id: str, data: bytes) -> str:
        if len(data) > self.max_bytes:
            raise AttachmentRefused("err_attachment_size")
        kind = content_type(data)
        if kind is None:
            raise AttachmentRefused("err_attachment_type")
        attachment_id = uuid.uuid4().hex
        place = self.folder / account_id
        place.mkdir(parents=True, exist_ok=True)
        (place / attachment_id).write_bytes(data)
        (place / f"{attachment_id}.type").write_text(kind)
        return attachment_id

    def find(self, account_id: str, attachment_id: str) -> tuple[Path, str] | None:
        """The file and its type, only within the account's own folder."""
        if _ID.fullmatch(attachment_id) is None:
            return None
        path = self.folder / account_id / attachment_id
        if not path.is_file():
            return None
        return path, (path.parent / f"{attachment_id}.type").read_text()
