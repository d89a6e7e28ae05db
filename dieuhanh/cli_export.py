"""``dieuhanh export tasks``: assignments as JSON, CSV or XLSX.

    dieuhanh export tasks [--document "313/UBND"] [--unit CODE] [--format json|csv|xlsx] [--out FILE]
    dieuhanh export reports [--request ID] [--unit CODE] [--format json|csv|xlsx] [--out FILE]
                                                       # see dieuhanh.reports.cli

JSON is an array with one object per assignment (document, task, unit, role,
status, bucket, due date, original due date, deadline phrase…; ISO dates). CSV
is UTF-8 with a BOM, dd/mm/yyyy dates. XLSX goes to ``--out`` or, when standard
output is redirected, to it as bytes.

Exit codes: 0 done; 2 unknown document or unit, or an output that cannot be
written; 3 unexpected error (database unreachable…). Like ``cli_server``, Django
is imported only when the command runs, so ``dieuhanh parse`` stays light.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERNAL = 3
FORMATS = ("json", "csv", "csv-excel", "xlsx")
FORMAT_HELP = ("json (mặc định); csv cho máy: dấu phẩy ngăn cột, dấu chấm thập phân; csv-excel cho người: "
               "dấu chấm phẩy ngăn cột, dấu phẩy thập phân (Excel cài đặt Việt Nam); hoặc xlsx "
               "(json by default; csv for machines with ',' and '.'; csv-excel for Excel in Vietnamese settings "
               "with ';' and ','; or xlsx)")


class _Refused(Exception):
    """A user error, reported in Vietnamese with exit code 2."""


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser("export", help="xuất dữ liệu nhiệm vụ (export tasks as JSON, CSV or XLSX)")
    what = export.add_subparsers(dest="what", metavar="DỮ LIỆU (WHAT)")
    what.required = True
    tasks = what.add_parser(
        "tasks", help="các phân công nhiệm vụ (assignments)",
        description=("Xuất mỗi phân công một dòng/đối tượng: văn bản, nhiệm vụ, đơn vị, vai trò, trạng thái, "
                     "tình hình (đúng hạn/quá hạn), hạn xử lý, hạn ban đầu, cụm từ thời hạn. "
                     "Mã thoát: 0 xong, 2 không tìm thấy văn bản/đơn vị hoặc không ghi được tệp, 3 lỗi nội bộ."),
    )
    tasks.add_argument("--document", metavar="SỐ/KÝ HIỆU",
                       help='số, ký hiệu văn bản nguồn, ví dụ "313/UBND" (source document number/symbol)')
    tasks.add_argument("--unit", metavar="MÃ", help="mã đơn vị thực hiện (unit code)")
    tasks.add_argument("--format", choices=FORMATS, default="json", help=FORMAT_HELP)
    tasks.add_argument("--out", metavar="TỆP", help="ghi vào tệp thay vì đầu ra chuẩn (write to FILE)")
    tasks.set_defaults(handler=cmd_export_tasks)
    from dieuhanh.reports.cli import add_reports_command

    add_reports_command(what)  # export reports
    from dieuhanh.reports.cli_consolidated import add_command as add_consolidated

    add_consolidated(what)
    from dieuhanh.evaluation.cli import add_command as add_evaluation

    add_evaluation(what)

    from dieuhanh.documents.cli_edxml import add_export_command, add_import_command

    add_export_command(what)  # export edxml
    add_import_command(sub)  # import edxml


def _complain(message: str) -> None:
    print(f"dieuhanh export: {message}", file=sys.stderr)
    sys.stderr.flush()


def guarded(work: Callable[[], None]) -> int:
    """Run one export: a user error (``_Refused``) → its message, exit 2; anything else → a
    one-line message (the traceback with ``DIEUHANH_DEBUG``), exit 3. Shared by every export."""
    try:
        work()
    except _Refused as err:
        _complain(str(err))
        return EXIT_USAGE
    except BrokenPipeError:
        raise  # `… | head`: main() ends quietly
    except Exception as err:  # noqa: BLE001 — a message, not a traceback
        from django.db import DatabaseError

        if isinstance(err, DatabaseError):
            _complain(f"lỗi cơ sở dữ liệu (database error: {err}); CSDL đã được tạo và cập nhật chưa? "
                      "(try `dieuhanh manage migrate`)")
        else:
            _complain(f"lỗi nội bộ (internal error: {type(err).__name__}: {err})")
        if os.environ.get("DIEUHANH_DEBUG"):
            traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK


def refuse_binary_to_terminal(args: argparse.Namespace) -> None:
    if args.format == "xlsx" and not args.out and sys.stdout.isatty():
        raise _Refused("XLSX là tệp nhị phân: hãy dùng --out TỆP hoặc chuyển hướng đầu ra "
                       "(XLSX is binary: use --out FILE or redirect stdout)")


def cmd_export_tasks(args: argparse.Namespace) -> int:
    def work() -> None:
        refuse_binary_to_terminal(args)
        from dieuhanh.cli_server import _setup

        _setup()
        _write(args, _queryset(args))

    return guarded(work)


def _queryset(args: argparse.Namespace) -> Any:
    from dieuhanh.documents.models import Document, number_symbol_key
    from dieuhanh.orgs.models import Unit
    from dieuhanh.tasks.models import Assignment

    qs = Assignment.objects.all()
    if args.document is not None:
        key = number_symbol_key(args.document)
        ids = list(Document.objects.filter(ns_key=key).values_list("id", flat=True)) if key else []
        if not ids:
            raise _Refused(f"không tìm thấy văn bản số, ký hiệu “{args.document}” (unknown document)")
        if len(ids) > 1:
            _complain(f"lưu ý: có {len(ids)} văn bản cùng số, ký hiệu “{args.document}”; xuất nhiệm vụ của tất cả "
                      f"(note: {len(ids)} documents share this number)")
        qs = qs.filter(task__document_id__in=ids)
    if args.unit is not None:
        unit = Unit.objects.filter(code=args.unit.strip()).first()
        if unit is None:
            raise _Refused(f"không tìm thấy đơn vị có mã “{args.unit}” (unknown unit code)")
        qs = qs.filter(unit=unit)
    from django.db.models import F

    # Document by document (oldest first), then each task's lead unit before its coordinators.
    return qs.order_by(F("task__document__issued_on").asc(nulls_last=True), "task_id", "role", "unit__code", "id")


def _write(args: argparse.Namespace, queryset: Any) -> None:
    from dieuhanh.tasks.exports import FOR_PEOPLE, assignment_rows, write_csv, write_json, write_xlsx

    rows = assignment_rows(queryset)

    def produce(binary_out: Any) -> None:
        if args.format == "json":
            write_json(rows, binary_out)
        elif args.format == "csv":
            write_csv(rows, binary_out)
        elif args.format == "csv-excel":
            write_csv(rows, binary_out, style=FOR_PEOPLE)
        else:
            write_xlsx(rows, binary_out, "Nhiệm vụ")

    emit(args, produce)


def emit(args: argparse.Namespace, produce: Callable[[Any], None]) -> None:
    """``produce(fp)`` to standard output, or to ``--out`` (see :func:`write_file`)."""
    if args.out:
        write_file(check_target(args.out), produce)
        return
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stdout (tests, embedding)
        if args.format == "xlsx":
            raise _Refused("XLSX cần --out TỆP ở đây (XLSX needs --out here)")
        produce(sys.stdout)
    else:
        sys.stdout.flush()
        produce(out)
        out.flush()


def check_target(path: str) -> Path:
    """The file to write, refused (exit 2) when it is a folder or its folder is missing or read-only."""
    target = Path(path)
    if target.is_dir():
        raise _Refused(f"“{path}” là thư mục, không phải tệp (is a directory)")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise _Refused(f"không có thư mục “{folder}” (directory not found)")
    if not os.access(folder, os.W_OK):
        raise _Refused(f"không ghi được vào “{folder}” (permission denied)")
    return target


def write_file(target: Path, produce: Callable[[Any], None]) -> None:
    """Write beside the target, then rename: an error never leaves half a file."""
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".dieuhanh-export-", dir=folder)
    except OSError as err:
        raise _Refused(f"không ghi được vào “{folder}” ({err.strerror or err})") from err
    try:
        with os.fdopen(fd, "wb") as fp:
            produce(fp)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise _Refused(f"không ghi được tệp “{target}” ({err.strerror or err})") from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
