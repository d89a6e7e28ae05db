"""Tables out of the app: CSV (Excel-friendly), XLSX and JSON.

- :func:`assignment_rows` turns assignments into plain dicts (one per assignment);
- :func:`write_csv` writes UTF-8 with a BOM (so Excel shows Vietnamese correctly),
  dates as dd/mm/yyyy; for people (the web's downloads, ``csv-excel`` in the CLI) with ";"
  between cells and "," as decimal mark, because Excel under Vietnamese regional settings
  splits on ";" and reads "100,0" as a number (with "," it opens the whole row in one column);
  for machines (``--format csv``) with "," and "."; :func:`write_xlsx` a real workbook (bold frozen header,
  column widths, dates typed as dates shown dd/mm/yyyy); :func:`write_json` ISO dates;
- :func:`table_response` answers ``?format=csv|xlsx`` for any table in a view::

      fmt = requested_format(request)
      if fmt:
          return table_response(request, rows, COLUMNS, "bao-cao-nhiem-vu", fmt)

Columns are ``(key, header)`` pairs; rows are dicts (or sequences in column order).
Text that a spreadsheet would run as a formula (=, +, -, @ first) is neutralised:
quoted in CSV, stored as text in XLSX.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.tasks.buckets import bucket_of, today
from dieuhanh.tasks.models import Assignment, Bucket

Column = tuple[str, Any]  # (key, header — str or lazy translation)

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}
DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

ASSIGNMENT_COLUMNS: list[Column] = [
    ("document", gettext_lazy("Văn bản")),
    ("task", gettext_lazy("Nhiệm vụ")),
    ("unit_code", gettext_lazy("Mã đơn vị")),
    ("unit", gettext_lazy("Đơn vị thực hiện")),
    ("role", gettext_lazy("Vai trò")),
    ("status", gettext_lazy("Trạng thái")),
    ("bucket", gettext_lazy("Tình hình thực hiện")),
    ("due_on", gettext_lazy("Hạn xử lý")),
    ("original_due_on", gettext_lazy("Hạn ban đầu")),
    ("deadline_phrase", gettext_lazy("Thời hạn trong văn bản")),
    ("progress", gettext_lazy("Tiến độ (%)")),
    ("completed_on", gettext_lazy("Ngày hoàn thành")),
    ("assigned_by", gettext_lazy("Đơn vị giao")),
]


# --- rows ---------------------------------------------------------------------------


def assignment_rows(queryset: QuerySet[Assignment] | Iterable[Assignment], on: date | None = None
                    ) -> Iterator[dict[str, Any]]:
    """One dict per assignment. Labels are in the active language; the ``*_code``
    keys carry the stored values for programs (JSON keeps them, tables skip them)."""
    on = on or today()
    if isinstance(queryset, QuerySet):
        try:
            queryset = queryset.select_related("task", "task__document", "task__assigned_by_unit", "unit")
        except TypeError:  # a .values() or otherwise fixed queryset: take it as it is
            pass
        queryset = queryset.iterator(chunk_size=500)
    for a in queryset:
        task = a.task
        document = task.document
        bucket = bucket_of(a, on)
        yield {
            "id": a.pk,
            "task_id": task.pk,
            "document": document.number_symbol if document is not None else "",
            "task": task.title,
            "unit_code": a.unit.code,
            "unit": a.unit.name,
            "role": str(a.get_role_display()),
            "role_code": a.role,
            "status": str(a.get_status_display()),
            "status_code": a.status,
            "bucket": str(Bucket(bucket).label) if bucket else "",
            "bucket_code": bucket or "",
            "due_on": a.due_on,
            "original_due_on": a.original_due_on,
            "deadline_phrase": task.deadline_phrase,
            "progress": a.progress,
            "completed_on": a.completed_on,
            "assigned_by_code": task.assigned_by_unit.code,
            "assigned_by": task.assigned_by_unit.name,
        }


# --- writers --------------------------------------------------------------------------


def _keys_and_headers(columns: Sequence[Column]) -> tuple[list[str], list[str]]:
    return [k for k, _h in columns], [str(h) for _k, h in columns]


def _cells(row: Mapping[str, Any] | Sequence[Any], keys: list[str]) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(k) for k in keys]
    values = list(row)
    return values[:len(keys)] + [None] * (len(keys) - len(values))


def _local(value: datetime) -> datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


@dataclass(frozen=True)
class CsvStyle:
    delimiter: str
    decimal_mark: str


FOR_PEOPLE = CsvStyle(delimiter=";", decimal_mark=",")
FOR_MACHINES = CsvStyle(delimiter=",", decimal_mark=".")


def _csv_text(value: Any, style: CsvStyle = FOR_MACHINES) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime):
        return _local(value).strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, (float, Decimal)):
        return str(value).replace(".", style.decimal_mark)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_binary(fp: Any) -> bool:
    if isinstance(fp, io.TextIOBase):
        return False
    if isinstance(fp, (io.RawIOBase, io.BufferedIOBase, HttpResponse)):
        return True
    return "b" in str(getattr(fp, "mode", "b"))


def write_csv(rows: Iterable[Mapping[str, Any] | Sequence[Any]], fp: IO[Any],
              columns: Sequence[Column] = ASSIGNMENT_COLUMNS, style: CsvStyle = FOR_MACHINES) -> int:
    """Write a header and the rows; ``fp`` binary (gets UTF-8 bytes) or text. Returns the row count."""
    keys, headers = _keys_and_headers(columns)
    binary = _is_binary(fp)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator="\r\n")

    def flush() -> None:
        text = buffer.getvalue()
        fp.write(text.encode("utf-8") if binary else text)
        buffer.seek(0)
        buffer.truncate()

    buffer.write("\ufeff")
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([_csv_text(v, style) for v in _cells(row, keys)])
        count += 1
        if count % 500 == 0:
            flush()
    flush()
    return count


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title or "")).strip().strip("'")
    return cleaned[:31] or "Sheet1"


def write_xlsx(rows: Iterable[Mapping[str, Any] | Sequence[Any]], fp: IO[bytes], title: str,
               columns: Sequence[Column] = ASSIGNMENT_COLUMNS) -> int:
    """Write one worksheet named ``title``; returns the row count."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    keys, headers = _keys_and_headers(columns)
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(title)
    wb.properties.title = str(title)[:255]
    wb.properties.creator = "Điều hành"
    widths = [min(max(len(h), 8), 60) for h in headers]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    count = 0
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(_cells(row, keys), start=1):
            cell = ws.cell(row=r, column=c)
            shown = len(str(value)) if value is not None else 0
            if isinstance(value, datetime):
                cell.value = _local(value)
                cell.number_format = XLSX_DATETIME_FORMAT
                shown = 16
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = XLSX_DATE_FORMAT
                shown = 10
            elif isinstance(value, (bool, int, float, Decimal)) or value is None:
                cell.value = value
            else:
                text = str(value)
                cell.value = text
                if text.startswith(_FORMULA_START):
                    cell.data_type = "s"  # openpyxl would store "=..." as a formula
            widths[c - 1] = min(max(widths[c - 1], shown + 2), 60)
        count += 1
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    if count:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    wb.save(fp)
    return count


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value) if not isinstance(value, (str, int, float, bool, type(None), list, dict)) else value


def write_json(rows: Iterable[Mapping[str, Any]], fp: IO[Any]) -> int:
    """A JSON array, one object per row, ISO dates, every key kept; returns the row count."""
    binary = _is_binary(fp)

    def out(text: str) -> None:
        fp.write(text.encode("utf-8") if binary else text)

    out("[")
    count = 0
    for row in rows:
        item = {k: _json_value(v) for k, v in dict(row).items()}
        out(("," if count else "") + "\n  " + json.dumps(item, ensure_ascii=False))
        count += 1
    out("\n]\n" if count else "]\n")
    return count


# --- views --------------------------------------------------------------------------------


def requested_format(request: HttpRequest, allowed: Sequence[str] = FORMATS) -> str | None:
    """``csv`` / ``xlsx`` when the table was asked for as a file (``?format=…``), else None."""
    value = (request.GET.get("format") or "").strip().lower()
    return value if value in allowed else None


def table_response(request: HttpRequest, rows: Iterable[Mapping[str, Any] | Sequence[Any]],
                   columns: Sequence[Column], filename: str, format: str) -> HttpResponse:  # noqa: A002
    """The table as a download (CSV or XLSX; JSON too). An unknown format is a 400, never a 500."""
    fmt = (format or "").lower()
    if fmt not in CONTENT_TYPES:
        return HttpResponse(_("Định dạng tệp không hỗ trợ; hãy chọn CSV hoặc XLSX."), status=400,
                            content_type="text/plain; charset=utf-8")
    base = filename.rsplit(".", 1)[0] if filename.lower().endswith(f".{fmt}") else filename
    name = f"{base or 'bang'}-{today():%Y%m%d}.{fmt}"
    response = HttpResponse(content_type=CONTENT_TYPES[fmt])
    if fmt == "csv":
        write_csv(rows, response, columns, FOR_PEOPLE)
    elif fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(rows, buffer, base or filename, columns)
        response.write(buffer.getvalue())
    else:
        keys = [k for k, _h in columns]
        write_json(({k: v for k, v in zip(keys, _cells(r, keys))} for r in rows), response)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response
