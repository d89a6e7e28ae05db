"""Errors raised when a document cannot be read. Messages are Vietnamese, for users."""

from __future__ import annotations


class DocumentReadError(Exception):
    """The file could not be read into text. ``str(err)`` is a Vietnamese message."""

    code = "unreadable"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0])


class NeedsOCRError(DocumentReadError):
    """A scanned PDF or an image: there is no text layer to read (OCR comes later)."""

    code = "needs_ocr"
