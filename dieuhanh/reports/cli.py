"""``dieuhanh export reports``: who reported, and when, as JSON, CSV or XLSX.

    dieuhanh export reports [--request ID] [--unit CODE] [--format json|csv|xlsx] [--out FILE]

One row per (request, unit): request id and title, requesting unit, unit code and name,
due date, status, first submitted, timeliness (on time / late / missing / not yet due)
and days late, judged today (:mod:`dieuhanh.reports.timeliness`). JSON keeps the codes
(``status_code``, ``timeliness_code``) and ISO dates; CSV is UTF-8 with a BOM and
dd/mm/yyyy dates; XLSX goes to ``--out`` or to a redirected standard output.

Exit codes as ``export tasks``: 0 done; 2 unknown request or unit, or an output that
cannot be written; 3 unexpected error. Django is imported only when the command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from dieuhanh.cli_export import FORMAT_HELP, FORMATS, _Refused, emit, guarded, refuse_binary_to_terminal

TIMELINESS_LABELS = {
    "on_time": "Đúng hạn",
    "late": "Quá hạn",
    "missing": "Chưa nộp, đã quá hạn",
    "pending": "Chưa nộp, chưa đến hạn",
}


def add_reports_command(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    reports = what.add_parser(
        "reports", help="tình hình nộp báo cáo của các đơn vị (report submissions)",
        description=("Xuất mỗi (yêu cầu báo cáo, đơn vị) một dòng/đối tượng: tên báo cáo, đơn vị, hạn gửi, "
                     "trạng thái, ngày nộp lần đầu, đúng hạn/quá hạn/chưa nộp, số ngày chậm. "
                     "Mã thoát: 0 xong, 2 không tìm thấy yêu cầu/đơn vị hoặc không ghi được tệp, 3 lỗi nội bộ."),
    )
    reports.add_argument("--request", metavar="SỐ", help="mã số yêu cầu báo cáo (report request id)")
    reports.add_argument("--unit", metavar="MÃ", help="mã đơn vị báo cáo (unit code)")
    reports.add_argument("--format", choices=FORMATS, default="json", help=FORMAT_HELP)
    reports.add_argument("--out", metavar="TỆP", help="ghi vào tệp thay vì đầu ra chuẩn (write to FILE)")
    reports.set_defaults(handler=cmd_export_reports)


def columns() -> list[tuple[str, str]]:
    return [
        ("request_id", "Mã yêu cầu"),
        ("request", "Báo cáo"),
        ("requested_by", "Đơn vị yêu cầu"),
        ("unit_code", "Mã đơn vị"),
        ("unit", "Đơn vị báo cáo"),
        ("due_on", "Hạn gửi"),
        ("status", "Trạng thái"),
        ("first_submitted_at", "Nộp lần đầu"),
        ("version", "Số lần nộp"),
        ("timeliness", "Tình hình nộp"),
        ("days_late", "Số ngày chậm"),
    ]


def cmd_export_reports(args: argparse.Namespace) -> int:
    def work() -> None:
        refuse_binary_to_terminal(args)
        from dieuhanh.cli_server import _setup

        _setup()
        _write(args, submission_rows(_queryset(args)))

    return guarded(work)


def _queryset(args: argparse.Namespace) -> Any:
    from dieuhanh.orgs.models import Unit
    from dieuhanh.reports.models import ReportRequest, Submission

    qs = Submission.objects.all()
    if args.request is not None:
        try:
            pk = int(str(args.request).strip())
        except ValueError:
            raise _Refused(f"mã yêu cầu báo cáo “{args.request}” phải là số (request id must be a number)") from None
        if not ReportRequest.objects.filter(pk=pk).exists():
            raise _Refused(f"không tìm thấy yêu cầu báo cáo số {pk} (unknown report request)")
        qs = qs.filter(request_id=pk)
    if args.unit is not None:
        unit = Unit.objects.filter(code=args.unit.strip()).first()
        if unit is None:
            raise _Refused(f"không tìm thấy đơn vị có mã “{args.unit}” (unknown unit code)")
        qs = qs.filter(unit=unit)
    return qs.order_by("request__due_on", "request_id", "unit__code", "id")


def submission_rows(queryset: Any, on: Any = None) -> Iterator[dict[str, Any]]:
    """One dict per submission, judged on ``on`` (today)."""
    from django.utils import timezone

    from dieuhanh.reports.timeliness import submission_state

    on = on or timezone.localdate()
    qs = queryset.select_related("request", "request__requested_by_unit", "unit").iterator(chunk_size=500)
    for s in qs:
        request = s.request
        state = submission_state(s.first_submitted_at, request.due_on, on)
        code = next(k for k in ("on_time", "late", "missing", "pending") if state[k])
        first = timezone.localtime(s.first_submitted_at) if s.first_submitted_at else None
        yield {
            "id": s.pk,
            "request_id": request.pk,
            "request": request.title,
            "requested_by_code": request.requested_by_unit.code,
            "requested_by": request.requested_by_unit.name,
            "unit_code": s.unit.code,
            "unit": s.unit.name,
            "due_on": request.due_on,
            "status": str(s.get_status_display()),
            "status_code": s.status,
            "first_submitted_at": first,
            "version": s.version,
            "timeliness": TIMELINESS_LABELS[code],
            "timeliness_code": code,
            "on_time": state["on_time"],
            "days_late": state["days_late"],
        }


def _write(args: argparse.Namespace, rows: Iterator[dict[str, Any]]) -> None:
    from dieuhanh.tasks.exports import FOR_PEOPLE, write_csv, write_json, write_xlsx

    cols = columns()

    def produce(fp: Any) -> None:
        if args.format == "json":
            write_json(rows, fp)
        elif args.format == "csv":
            write_csv(rows, fp, cols)
        elif args.format == "csv-excel":
            write_csv(rows, fp, cols, FOR_PEOPLE)
        else:
            write_xlsx(rows, fp, "Báo cáo", cols)

    emit(args, produce)
