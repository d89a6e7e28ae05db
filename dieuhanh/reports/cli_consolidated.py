"""``dieuhanh export consolidated``: the consolidated report of a request as DOCX (and XLSX).

    dieuhanh export consolidated REQUEST_ID --out FILE.docx [--xlsx FILE.xlsx] [--rebuild]

Uses the request's consolidation, building it first (as a system action, audited) when there
is none yet; ``--rebuild`` aggregates the accepted submissions again (texts the specialist
edited are kept). Files are written beside the target and renamed, so an error never leaves
half a file.

Exit codes: 0 done; 2 unknown request or an output that cannot be written; 3 unexpected
error (database unreachable…). Django is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys

from dieuhanh.cli_export import _complain, _Refused, check_target, guarded, write_file


def add_command(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``consolidated`` under ``dieuhanh export``."""
    cmd = what.add_parser(
        "consolidated", help="báo cáo tổng hợp của một yêu cầu báo cáo (consolidated report as DOCX/XLSX)",
        description=("Ghi báo cáo tổng hợp (DOCX theo Nghị định 30) của yêu cầu báo cáo REQUEST_ID; tổng hợp "
                     "các báo cáo đã tiếp nhận nếu chưa tổng hợp. Mã thoát: 0 xong, 2 không tìm thấy yêu cầu "
                     "hoặc không ghi được tệp, 3 lỗi nội bộ."),
    )
    cmd.add_argument("request_id", metavar="REQUEST_ID", help="mã số yêu cầu báo cáo (report request id)")
    cmd.add_argument("--out", metavar="TỆP.docx", required=True, help="tệp DOCX cần ghi (DOCX file to write)")
    cmd.add_argument("--xlsx", metavar="TỆP.xlsx", help="ghi thêm số liệu ra tệp XLSX (also write XLSX)")
    cmd.add_argument("--rebuild", action="store_true",
                     help="tổng hợp lại từ các báo cáo đã tiếp nhận (aggregate again)")
    cmd.set_defaults(handler=cmd_export_consolidated)


def cmd_export_consolidated(args: argparse.Namespace) -> int:
    return guarded(lambda: _export(args))


def _export(args: argparse.Namespace) -> None:
    try:
        request_id = int(str(args.request_id).strip())
    except ValueError:
        raise _Refused(f"mã yêu cầu báo cáo “{args.request_id}” không hợp lệ (not a number)") from None
    docx_target = check_target(args.out)
    xlsx_target = check_target(args.xlsx) if args.xlsx else None
    from dieuhanh.cli_server import _setup

    _setup()
    from dieuhanh.reports import consolidation as service
    from dieuhanh.reports.models import Consolidation, ReportRequest

    request = (ReportRequest.objects.select_related("outline_version", "requested_by_unit")
               .filter(pk=request_id).first())
    if request is None:
        raise _Refused(f"không tìm thấy yêu cầu báo cáo số {request_id} (unknown report request)")
    built = Consolidation.objects.filter(request=request).first()
    if built is None or (args.rebuild and built.document_id is None):
        built = service.consolidate(None, request)
    elif args.rebuild:
        _complain(f"lưu ý: báo cáo đã phát hành ({built.document.number_symbol}), không tổng hợp lại "
                  "(note: already issued, not rebuilt)")
    docx = service.consolidated_docx(built)
    write_file(docx_target, lambda fp: fp.write(docx))
    if xlsx_target is not None:
        xlsx = service.consolidated_xlsx(built)
        write_file(xlsx_target, lambda fp: fp.write(xlsx))
    print(f"Đã ghi báo cáo tổng hợp ({len(built.units_included or [])} đơn vị) vào {docx_target}"
          + (f" và {xlsx_target}" if xlsx_target is not None else ""), file=sys.stderr)
