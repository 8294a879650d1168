"""Attachment files: typed by their content, size-limited, stored with a checksum.

Files live under the ORIENTATION_STORAGE_DIR setting (never under static/), named by a random
key with no extension: nothing in a path says what a file is or whom it is about. They are
served only by the referral's authorised download route.

A file belongs to the transaction that wrote it: if that transaction rolls back, the files it
wrote are deleted (`track_written`), so a failed request leaves nothing behind. Files whose
rows are purged are deleted after the purge commits; `sweep_orphans` removes what a crash
may still have left.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 3
# What a file starts with, for each accepted type (the browser's claim is not trusted).
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
WRITTEN_KEY = "dora_orientation_files_written"
ORPHAN_GRACE_SECONDS = 3600


class AttachmentError(ValueError):
    """A file that cannot be accepted, with a French message."""


@dataclass(frozen=True)
class CheckedFile:
    nom_fichier: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def size_label(size: int) -> str:
    """5242880 → « 5 Mo », 102400 → « 100 Ko »."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} Mo".replace(".", ",")
    return f"{size / 1024:.3g} Ko".replace(".", ",")


def storage_root() -> Path:
    return Path(current_app.config["ORIENTATION_STORAGE_DIR"])


def sniff(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def clean_filename(name: str | None) -> str:
    """A display name without directories or control characters, at most 120 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return name.strip(" .")[:120] or "piece-jointe"


def check(stream: IO[bytes], filename: str | None) -> CheckedFile:
    """Read an upload (at most MAX_BYTES + 1 bytes) and check its size and real type."""
    limit = MAX_BYTES
    data = stream.read(limit + 1)
    shown = clean_filename(filename)
    if not data:
        raise AttachmentError(f"« {shown} » est vide.")
    if len(data) > limit:
        raise AttachmentError(f"« {shown} » dépasse {size_label(limit)}.")
    content_type = sniff(data)
    if content_type is None:
        raise AttachmentError(
            f"« {shown} » n’est ni un PDF, ni une image JPEG ou PNG (d’après son contenu)."
        )
    return CheckedFile(nom_fichier=shown, content_type=content_type, data=data)


def path_of(storage_key: str) -> Path:
    root = storage_root().resolve()
    path = (root / storage_key).resolve()
    # Keys are ours (hex), but a path outside the root must never be opened.
    if root not in path.parents:
        raise AttachmentError("Clé de stockage invalide.")
    return path


def write(session: Session, checked: CheckedFile) -> str:
    """Store the file; returns its storage key. Deleted again if the transaction rolls back."""
    key = f"{time.strftime('%Y%m')}/{secrets.token_hex(16)}"
    path = path_of(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(checked.data)
    temporary.replace(path)
    session.info.setdefault(WRITTEN_KEY, []).append(path)
    return key


def read_verified(storage_key: str, sha256: str) -> bytes | None:
    """The file's content if it is there and still has its checksum, else None. (At most
    5 Mo: read whole, so that no open file outlives the request.)"""
    try:
        data = path_of(storage_key).read_bytes()
    except (OSError, AttachmentError):
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def delete(storage_keys: Iterable[str]) -> int:
    deleted = 0
    for key in storage_keys:
        try:
            path_of(key).unlink(missing_ok=True)
            deleted += 1
        except (OSError, AttachmentError) as error:
            # The key, never the file's name: names may carry personal data.
            log.warning("orientation attachment %s not deleted: %s", key, error)
    return deleted


def sweep_orphans(session: Session) -> int:
    """Delete stored files that no attachment row knows (left by a crash), once they are old
    enough not to belong to a request in flight."""
    from dora.orientation.models import OrientationAttachment

    root = storage_root()
    if not root.is_dir():
        return 0
    known = set(session.scalars(select(OrientationAttachment.storage_key)))
    cutoff = time.time() - ORPHAN_GRACE_SECONDS
    removed = 0
    for path in root.glob("*/*"):
        key = f"{path.parent.name}/{path.name}"
        if key in known or not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(WRITTEN_KEY, None)


@event.listens_for(Session, "after_soft_rollback")
def _delete_written(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: operations write files only once nothing can refuse any more
    for path in session.info.pop(WRITTEN_KEY, []):
        path.unlink(missing_ok=True)
