"""Uploaded files are stored only up to CRM_MAX_UPLOAD_BYTES; past it they keep only their size."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from crm.core.uploads import OversizedUpload


def uploaded(content, name="data.csv"):
    request = RequestFactory().post("/", {"file": SimpleUploadedFile(name, content), "note": "kept"})
    return request, request.FILES["file"]


def test_a_file_past_the_cap_is_not_stored_and_keeps_its_real_size(settings):
    settings.CRM_MAX_UPLOAD_BYTES = 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 4096  # the rest would go to a temporary file on disk
    request, file = uploaded(b"x" * 300_000)
    assert isinstance(file, OversizedUpload)
    assert file.size == 300_000 and file.name == "data.csv"
    assert file.read() == b""
    assert request.POST["note"] == "kept"


def test_a_file_within_the_cap_is_stored_as_usual(settings):
    settings.CRM_MAX_UPLOAD_BYTES = 1024
    _request, file = uploaded(b"y" * 1024)
    assert not isinstance(file, OversizedUpload)
    assert file.read() == b"y" * 1024
