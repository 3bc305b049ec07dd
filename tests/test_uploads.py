"""Curator uploads: safe names, type by content, size limit, no silent replacement, atomic write."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from ingest.uploads import MAX_UPLOAD_BYTES, UploadError, check_upload, safe_name, save_upload


@pytest.mark.parametrize(
    "given, expected",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\notes.md", "notes.md"),
        ("/abs/path/Report.PDF", "Report.pdf"),
        (".hidden.txt", "hidden.txt"),
        ("café résumé.docx", "cafe resume.docx"),
        ("<script>.html", "script.html"),
        ("...", "upload"),
    ],
)
def test_safe_names_stay_inside_the_uploads_folder(given, expected, tmp_path):
    assert safe_name(given) == expected


def test_checks_refuse_bad_uploads(tmp_path):
    pdf = (FIXTURES / "sample.pdf").read_bytes()
    with pytest.raises(UploadError, match="not supported"):
        check_upload(tmp_path, "virus.exe", b"MZ")
    with pytest.raises(UploadError, match="not a valid .docx"):
        check_upload(tmp_path, "paper.docx", pdf)  # a PDF renamed .docx
    with pytest.raises(UploadError, match="empty"):
        check_upload(tmp_path, "empty.txt", b"")
    with pytest.raises(UploadError, match="MB limit"):
        check_upload(tmp_path, "huge.txt", b"a" * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(UploadError, match="licence"):
        check_upload(tmp_path, "LICENSE.txt", b"MIT")
    with pytest.raises(UploadError, match=r"not valid UTF-8 text \(byte 0x.. at offset \d+\): save it as UTF-8"):
        check_upload(tmp_path, "latin1.txt", (FIXTURES / "latin1.txt").read_bytes())
    with pytest.raises(UploadError, match="binary data, not text: a .txt file must be plain UTF-8 text"):
        check_upload(tmp_path, "picture.txt", pdf)  # a PDF renamed .txt


def test_save_writes_into_uploads_and_replaces_only_when_asked(tmp_path):
    checked = check_upload(tmp_path, "../x/notes.txt", b"Notes\n\nFirst.\n")
    assert checked.doc_id == "uploads/notes.txt" and not checked.exists
    path = save_upload(checked, b"Notes\n\nFirst.\n")
    assert path == tmp_path / "uploads" / "notes.txt" and path.read_bytes() == b"Notes\n\nFirst.\n"
    again = check_upload(tmp_path, "notes.txt", b"Notes\n\nSecond.\n")
    assert again.exists
    with pytest.raises(UploadError, match="already exists"):
        save_upload(again, b"Notes\n\nSecond.\n")
    save_upload(again, b"Notes\n\nSecond.\n", replace=True)
    assert path.read_bytes() == b"Notes\n\nSecond.\n"
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["notes.txt"]  # no temp files left


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("blank.txt", b"   \n\n  \t\n", "no text found"),
        ("trunc.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "not a readable PDF"),
        ("headings.md", b"# Only a heading\n\n## And another\n", "no text found"),
    ],
)
def test_a_file_the_reindex_would_fail_on_is_refused_before_it_is_saved(name, data, reason, tmp_path):
    """The type is right but there is nothing to index: refused with the reindex's own reason, so a
    broken file never sits in the corpus failing every reindex."""
    with pytest.raises(UploadError, match=reason):
        check_upload(tmp_path, name, data)
    assert not (tmp_path / "uploads").exists()
    assert check_upload(tmp_path, "fine.txt", b"A title\n\nA sentence about dystonia.\n").doc_id == "uploads/fine.txt"
