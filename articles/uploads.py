"""An upload handler that enforces the upload size cap while the body is being read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeCappedUploadHandler(FileUploadHandler):
    """Counts bytes as they arrive and stops the request at the cap.

    Django's own limits apply to the non-file part of a request or decide where a file is
    buffered; neither refuses a large file. This handler stops reading as soon as the total
    passes `ZAWIYA_UPLOAD_MAX_BYTES`, so an oversized upload is never held whole, and marks the
    request so the view can say why the file is missing.
    """

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        # Raising here would escape the parser (it only catches StopUpload while reading
        # files), so a large declared length is refused by receive_data_chunk at the cap.
        self.limit = settings.ZAWIYA_UPLOAD_MAX_BYTES
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = True  # type: ignore[union-attr]
            # connection_reset=False drains and discards the rest of the body, so the client
            # gets our error page instead of a reset connection.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
