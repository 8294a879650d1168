"""Attachments: typed by content, 5 Mo at most, stored under the setting's root with their
checksum, refused when altered; orphans swept."""

from __future__ import annotations

import io
import os
import time

import pytest

from tests.orientation.helpers import EXE, JPEG, PDF, PNG


def test_type_comes_from_the_content_not_the_name(app):
    from dora.orientation import storage

    assert storage.check(io.BytesIO(PNG), "photo.pdf").content_type == "image/png"
    assert storage.check(io.BytesIO(JPEG), "scan").content_type == "image/jpeg"
    assert storage.check(io.BytesIO(PDF), "cv.png").content_type == "application/pdf"
    with pytest.raises(storage.AttachmentError, match="ni un PDF"):
        storage.check(io.BytesIO(EXE), "cv.pdf")
    with pytest.raises(storage.AttachmentError, match="ni un PDF"):
        storage.check(io.BytesIO(b"<html><script>alert(1)</script>"), "page.png")


def test_five_megabytes_at_most(app):
    from dora.orientation import storage

    exactly = PDF + b"0" * (5 * 1024 * 1024 - len(PDF))
    assert len(storage.check(io.BytesIO(exactly), "cv.pdf").data) == 5 * 1024 * 1024
    with pytest.raises(storage.AttachmentError, match="dépasse 5 Mo"):
        storage.check(io.BytesIO(exactly + b"0"), "cv.pdf")


def test_display_names_lose_paths_and_control_characters(app):
    from dora.orientation.storage import clean_filename

    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("C:\\Users\\cv.pdf") == "cv.pdf"
    assert clean_filename('a"b<c>\r\n.pdf') == "abc.pdf"
    assert clean_filename("") == "piece-jointe"


def test_an_altered_file_is_not_served(app, storage_dir, db_session):
    from dora.orientation import storage

    checked = storage.check(io.BytesIO(PDF), "cv.pdf")
    key = storage.write(db_session, checked)
    assert storage.read_verified(key, checked.sha256) == PDF
    storage.path_of(key).write_bytes(PDF + b"altered")
    assert storage.read_verified(key, checked.sha256) is None
    assert storage.read_verified("../../../etc/passwd", checked.sha256) is None


def test_orphan_files_are_swept_once_old(app, storage_dir, db_session):
    from dora.orientation import storage

    key = storage.write(db_session, storage.check(io.BytesIO(PDF), "cv.pdf"))
    path = storage.path_of(key)
    assert storage.sweep_orphans(db_session) == 0  # too recent: may belong to a request
    old = time.time() - 2 * storage.ORPHAN_GRACE_SECONDS
    os.utime(path, (old, old))
    assert storage.sweep_orphans(db_session) == 1 and not path.exists()
