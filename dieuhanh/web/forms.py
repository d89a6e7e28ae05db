"""Form pieces shared by every app: dates typed the Vietnamese way (dd/mm/yyyy)."""

from __future__ import annotations

from typing import Any

from django import forms

# What a person types. Query strings and imports may also carry ISO dates: pass ISO_TOO.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y"]
ISO_TOO = [*DATE_INPUT_FORMATS, "%Y-%m-%d"]


class VnDateInput(forms.DateInput):
    """A text box showing and hinting dd/mm/yyyy (no browser date picker: its format follows the OS locale)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric",
                                                   "autocomplete": "off", **(attrs or {})})


def vn_date_field(label: Any, *, required: bool = False, error: Any, **kwargs: Any) -> forms.DateField:
    """A date field reading dd/mm/yyyy (or dd-mm-yyyy) with the caller's Vietnamese error."""
    messages = {"invalid": error, **kwargs.pop("error_messages", {})}
    kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
    return forms.DateField(label=label, required=required,
                           widget=kwargs.pop("widget", VnDateInput()), error_messages=messages, **kwargs)
