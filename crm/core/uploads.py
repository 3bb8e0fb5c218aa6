"""An upload handler that never stores more of an uploaded file than ``CRM_MAX_UPLOAD_BYTES``.

Django receives a multipart body completely, and without a handler like this one writes every
uploaded file to memory or a temporary file whatever its size, before any form can refuse it.
Listed first in ``FILE_UPLOAD_HANDLERS``, this handler passes a file's data on to the usual
handlers up to the cap; past it the rest is read and dropped, and the upload becomes an empty
``OversizedUpload`` that keeps its real size, so the form's size check refuses it with its usual
message. The reverse proxy's body limit (docs/operations.md) stops it earlier still.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """An upload past the cap: its name and real size, none of its content."""

    def __init__(self, name, size, content_type, charset):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class UploadSizeLimitHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        if self.oversized or start + len(raw_data) > settings.CRM_MAX_UPLOAD_BYTES:
            self.oversized = True
            return None  # the following handlers do not receive it
        return raw_data

    def file_complete(self, file_size):
        if self.oversized:
            return OversizedUpload(self.file_name, file_size, self.content_type, self.charset)
        return None  # the following handlers return the file they stored
