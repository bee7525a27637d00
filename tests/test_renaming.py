"""Content decides, the name follows: the names and type a renamed file is sent under."""

from __future__ import annotations

import pytest

from spott_migrate.renaming import ACCEPTED, extension_for, is_accepted, name_for_content, note
from spott_migrate.spott_api import MIME_BY_EXTENSION

GIF, JPEG, PDF = "image/gif", "image/jpeg", "application/pdf"


@pytest.mark.parametrize(
    ("name", "mime", "sent"),
    [
        ("logo.png", GIF, "logo.gif"),
        ("LOGO.PNG", GIF, "LOGO.gif"),
        ("photo.jpeg", JPEG, "photo.jpeg"),  # .jpeg and .jpg are both JPEG: kept
        ("photo.JPG", JPEG, "photo.JPG"),
        ("scan.jfif", JPEG, "scan.jpg"),
        ("cv-export.txt", PDF, "cv-export.pdf"),
        ("Company logo", GIF, "Company logo.gif"),  # a display name without an extension
        ("Report v1.2", PDF, "Report v1.2.pdf"),  # "2" is a version, not an extension
        ("archive.tar.gz", PDF, "archive.tar.pdf"),
        (".hidden", PDF, ".hidden.pdf"),
        ("setup.pdf", "application/x-msdownload", "setup.pdf"),  # not sent: name kept
    ],
)
def test_the_name_gets_its_contents_extension(name: str, mime: str, sent: str) -> None:
    assert name_for_content(name, mime) == sent


def test_every_accepted_format_has_an_extension_that_names_it_again() -> None:
    for mime in ACCEPTED:
        extension = extension_for(mime)
        assert MIME_BY_EXTENSION[extension] in (mime, "image/vnd.microsoft.icon")
        assert name_for_content(f"x{extension}", mime) == f"x{extension}"
    assert is_accepted("image/vnd.microsoft.icon") and not is_accepted("application/rtf")
    assert not is_accepted(None)


def test_the_note_names_the_content() -> None:
    assert note(GIF) == "renamed: content is GIF"
    assert note("application/vnd.openxmlformats-officedocument.wordprocessingml.document") == (
        "renamed: content is DOCX"
    )
