"""Operations commands: ``audit verify``, ``backup``, ``restore`` and ``check``.

    dieuhanh audit verify            # 0 the chain holds; 1 the first broken link is printed
    dieuhanh backup --out FILE       # database + media in one tar archive with a manifest
    dieuhanh restore FILE            # into an empty installation only
    dieuhanh check [--json]          # 0 OK, 1 WARNING, 2 CRITICAL (monitoring plugins' convention)

Like ``cli_server``, Django is imported only when a command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_REFUSED = 2
EXIT_INTERNAL = 3


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = sub.add_parser("audit", help="kiểm tra nhật ký (audit log tools)")
    what = audit.add_subparsers(dest="what", metavar="VIỆC")
    what.required = True
    verify = what.add_parser(
        "verify", help="kiểm tra chuỗi mã băm của nhật ký (verify the audit hash chain)",
        description="Mã thoát: 0 chuỗi nguyên vẹn, 1 có mắt xích hỏng (in ra mắt xích đầu tiên), 3 lỗi nội bộ.")
    verify.set_defaults(handler=cmd_audit_verify)

    backup = sub.add_parser(
        "backup", help="sao lưu CSDL và tệp đính kèm (back up the database and media)",
        description="Một tệp tar gồm CSDL (bản sao trực tuyến SQLite hoặc pg_dump), thư mục tệp đính kèm và "
                    "manifest.json có mã SHA-256 từng tệp. Mã thoát: 0 xong, 2 không ghi được, 3 lỗi nội bộ.")
    backup.add_argument("--out", required=True, metavar="TỆP", help="tệp sao lưu sẽ tạo (archive to write)")
    backup.set_defaults(handler=cmd_backup)

    restore = sub.add_parser(
        "restore", help="khôi phục từ bản sao lưu vào một cài đặt trống (restore into an empty installation)",
        description="Kiểm tra mã SHA-256 rồi khôi phục CSDL và tệp đính kèm. Chỉ khôi phục vào CSDL chưa có bảng "
                    "nào và thư mục tệp trống. Mã thoát: 0 xong, 2 từ chối (không trống, tệp hỏng…), 3 lỗi nội bộ.")
    restore.add_argument("file", metavar="TỆP", help="tệp sao lưu (archive made by dieuhanh backup)")
    restore.set_defaults(handler=cmd_restore)

    check = sub.add_parser(
        "check", help="kiểm tra tình trạng hệ thống cho giám sát (health check for monitoring)",
        description="Cấu hình, CSDL và migration, tiến trình worker, dung lượng đĩa, thư điện tử. "
                    "Mã thoát: 0 tốt, 1 cảnh báo, 2 nghiêm trọng, 3 lỗi nội bộ.")
    check.add_argument("--json", action="store_true", help="in kết quả dạng JSON (machine-readable output)")
    check.set_defaults(handler=cmd_check)


def _complain(command: str, message: str) -> None:
    print(f"dieuhanh {command}: {message}", file=sys.stderr)
    sys.stderr.flush()


def _guarded(command: str, work: Callable[[], int]) -> int:
    from dieuhanh.ops import Refused

    try:
        return work()
    except Refused as err:
        _complain(command, str(err))
        return EXIT_REFUSED
    except Exception as err:  # noqa: BLE001 - a message, the traceback only with DIEUHANH_DEBUG
        _complain(command, f"lỗi nội bộ (internal error: {type(err).__name__}: {err})")
        if os.environ.get("DIEUHANH_DEBUG"):
            traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL


def cmd_audit_verify(args: argparse.Namespace) -> int:
    def work() -> int:
        from dieuhanh.cli_server import _setup

        _setup()
        from dieuhanh.accounts.chain import verify

        verdict = verify()
        if verdict.ok:
            print(f"Nhật ký nguyên vẹn: {verdict.rows} dòng, chuỗi mã băm khớp (audit chain intact).")
            return EXIT_OK
        where = f"mắt xích số {verdict.broken_seq}" if verdict.broken_seq is not None else "mắt xích"
        row = f" (dòng id {verdict.broken_id})" if verdict.broken_id is not None else ""
        print(f"Nhật ký bị hỏng tại {where}{row}: {verdict.reason} (audit chain broken).")
        return EXIT_BROKEN

    return _guarded("audit verify", work)


def cmd_backup(args: argparse.Namespace) -> int:
    def work() -> int:
        from dieuhanh.cli_server import _setup

        _setup()
        from dieuhanh.ops.backup import make_backup

        result = make_backup(args.out)
        print(f"Đã sao lưu vào {result.path}: {result.files} tệp đính kèm, {result.size / 1e6:.1f} MB, "
              f"{result.seconds:.1f} giây (backup written).")
        return EXIT_OK

    return _guarded("backup", work)


def cmd_restore(args: argparse.Namespace) -> int:
    def work() -> int:
        from dieuhanh.cli_server import _setup

        _setup()
        from dieuhanh.ops.restore import restore_backup

        result = restore_backup(args.file)
        print(f"Đã khôi phục {result.files} tệp đính kèm và CSDL từ bản sao lưu ngày {result.created} "
              f"(restored, {result.seconds:.1f} s).")
        if result.pending_migrations:
            print("Bản sao lưu cũ hơn phiên bản này: chạy `dieuhanh manage migrate` trước khi mở lại hệ thống "
                  "(run migrate before serving).")
        return EXIT_OK

    return _guarded("restore", work)


def cmd_check(args: argparse.Namespace) -> int:
    def work() -> int:
        from dieuhanh.cli_server import _setup

        _setup()
        from dieuhanh.ops.checks import EXIT_CODES, run_checks

        report = run_checks()
        if args.json:
            print(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            for item in report["checks"]:
                print(f"[{item['status'].upper()}] {item['name']}: {item['message']}")
            print(f"Kết quả: {report['status'].upper()}")
        return EXIT_CODES[report["status"]]

    return _guarded("check", work)
