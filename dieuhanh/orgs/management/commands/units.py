"""``dieuhanh manage units``: import, export and load the unit tree.

    units import TỆP.yaml|TỆP.csv [--dry-run]
    units export [--format yaml|csv] [--out TỆP] [--on dd/mm/yyyy] [--from-cchc cchc-data.yaml]
    units load-default [--dry-run]

Exit codes: 0 done; 1 the file's content is wrong (every problem is listed, nothing is
saved); 2 the file or an argument cannot be read; 3 the database cannot be used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from dieuhanh.orgs import services
from dieuhanh.orgs.cchc import CANTHO_HEADER, rows_from_cchc
from dieuhanh.orgs.files import FORMATS, UnitFileError
from dieuhanh.orgs.schema import RowError, parse_date

EXIT_INVALID, EXIT_UNREADABLE, EXIT_DATABASE = 1, 2, 3


class Command(BaseCommand):
    help = ("Nhập, xuất danh sách đơn vị (YAML, CSV) và nạp cơ cấu mẫu Cần Thơ. "
            "Mã thoát: 0 xong; 1 nội dung tệp sai (không lưu gì); 2 không đọc được tệp hoặc tham số; "
            "3 không dùng được cơ sở dữ liệu.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="import|export|load-default", required=True)
        imp = sub.add_parser("import", help="nhập tệp .yaml hoặc .csv (tạo mới hoặc cập nhật theo mã)")
        imp.add_argument("file", metavar="TỆP")
        imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không lưu")
        exp = sub.add_parser("export", help="xuất cây đơn vị")
        exp.add_argument("--format", choices=FORMATS, default="yaml", help="yaml (mặc định) hoặc csv")
        exp.add_argument("--out", metavar="TỆP", help="ghi ra tệp thay vì màn hình")
        exp.add_argument("--on", metavar="dd/mm/yyyy", help="chỉ các đơn vị hoạt động vào ngày này")
        exp.add_argument("--from-cchc", metavar="cchc-data.yaml",
                         help="chuyển từ tệp cchc-data.yaml thay vì đọc cơ sở dữ liệu")
        ld = sub.add_parser("load-default", help="nạp cơ cấu mẫu Cần Thơ, Cái Răng (2020 và 2025)")
        ld.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không lưu")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        try:
            if action == "export":
                self._export(opts)
            elif action == "import":
                self._report(services.import_file(opts["file"], dry_run=opts["dry_run"]),
                             ["import", opts["file"]], opts["dry_run"])
            else:
                self._report(services.load_default(dry_run=opts["dry_run"]), ["load-default"], opts["dry_run"])
        except UnitFileError as exc:
            raise CommandError(str(exc), returncode=EXIT_UNREADABLE) from None
        except DatabaseError as exc:
            raise CommandError(_("Không dùng được cơ sở dữ liệu (%(error)s). Nếu chưa tạo bảng, hãy chạy "
                                 "«dieuhanh manage migrate» trước.") % {"error": exc},
                               returncode=EXIT_DATABASE) from None

    def _report(self, result: services.ImportResult, args: list[str], dry_run: bool) -> None:
        for message in result.errors:
            self.stderr.write(f"- {message}")
        if not result.ok:
            raise CommandError(result.summary(), returncode=EXIT_INVALID)
        if not dry_run:  # each unit has its own audit row; this one says who ran what
            from dieuhanh.accounts.commands import record_command

            record_command("units", N_("Nạp danh sách đơn vị bằng lệnh quản trị"), args=args, after={
                "created": len(result.created), "updated": len(result.updated), "unchanged": len(result.unchanged)})
        self.stdout.write(result.summary())

    def _export(self, opts: dict[str, Any]) -> None:
        try:
            on = parse_date(opts["on"])
        except RowError:
            raise CommandError(_("Ngày «%(value)s» không hợp lệ: viết theo dạng dd/mm/yyyy.") % {"value": opts["on"]},
                               returncode=EXIT_UNREADABLE) from None
        fmt = opts["format"]
        if opts["from_cchc"]:
            rows = services.ordered_rows(services.rows_in_force(rows_from_cchc(opts["from_cchc"]), on))
            text = services.write_rows(rows, fmt, header=CANTHO_HEADER if fmt == "yaml" else "")
        else:
            text = services.export_units(fmt, on=on)
        if not opts["out"]:
            self.stdout.write(text, ending="")
            return
        try:
            # A BOM lets spreadsheet programs open a Vietnamese CSV as UTF-8.
            Path(opts["out"]).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        except OSError as exc:
            raise CommandError(_("Không ghi được tệp «%(path)s»: %(error)s.")
                               % {"path": opts["out"], "error": exc.strerror or exc},
                               returncode=EXIT_UNREADABLE) from None
        self.stdout.write(_("Đã ghi %(path)s.") % {"path": opts["out"]})
