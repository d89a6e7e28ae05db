"""Errors raised when a document cannot be read. Messages are Vietnamese, for users.

Every error is a ``DocumentReadError``; callers that only show the message catch that.
Callers that act on the kind (the web intake, the worker) use the subclass or ``code``:

==========================  =================  ==============================================
class                       code               meaning
==========================  =================  ==============================================
EmptyFileError              empty              no bytes, or no text in the file
FileTooLargeError           too_large          over the byte, unpacked-size or page cap
EncryptedFileError          encrypted          a password is needed to open the file
CorruptFileError            corrupt            the file is damaged or hostile
UnsupportedFormatError      unsupported        a kind of file the readers do not take
ReadTimeoutError            timeout            reading took longer than its time limit
ToolMissingError            tool_missing       a system program (pdftotext, tesseract,
                                               soffice) is not installed
ConversionError             conversion_failed  LibreOffice could not convert the file
NoTextFoundError            no_text            OCR found no text (a photo, a blank page)
NeedsOCRError               needs_ocr          a scan; call again with ``ocr=True``
NeedsConversionError        needs_conversion   .doc/.odt/.rtf; call again with
                                               ``convert=True``
==========================  =================  ==============================================

``NeedsOCRError`` and ``NeedsConversionError`` share the base ``NeedsWorkerError``: the
file is fine but reading it is slow, so a web request defers it to the worker.
"""

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


class EmptyFileError(DocumentReadError):
    code = "empty"


class FileTooLargeError(DocumentReadError):
    code = "too_large"


class EncryptedFileError(DocumentReadError):
    code = "encrypted"


class CorruptFileError(DocumentReadError):
    code = "corrupt"


class UnsupportedFormatError(DocumentReadError):
    code = "unsupported"


class ReadTimeoutError(DocumentReadError):
    code = "timeout"


class ToolMissingError(DocumentReadError):
    code = "tool_missing"


class ConversionError(DocumentReadError):
    code = "conversion_failed"


class NoTextFoundError(DocumentReadError):
    code = "no_text"


class NeedsWorkerError(DocumentReadError):
    """Reading is possible but slow (OCR, conversion): run it in the background worker."""

    code = "needs_worker"


class NeedsOCRError(NeedsWorkerError):
    """A scanned PDF or an image: there is no text layer; ``ocr=True`` reads it."""

    code = "needs_ocr"

    def __init__(self, message: str, *, code: str | None = None, pages: int = 0) -> None:
        super().__init__(message, code=code)
        self.pages = pages  # pages to recognise, for the worker's progress bar


class NeedsConversionError(NeedsWorkerError):
    """A .doc, .odt or .rtf file: ``convert=True`` converts it with LibreOffice."""

    code = "needs_conversion"
