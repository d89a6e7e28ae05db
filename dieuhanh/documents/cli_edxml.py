"""``dieuhanh export edxml`` and ``dieuhanh import edxml``: documents as edXML packages (QCVN 102:2016).

    dieuhanh export edxml --document "313/UBND" [--unit CODE] --out F.edxml
    dieuhanh import edxml F.edxml --unit CODE [--user NAME]

The import registers the package in the unit's incoming register, in the name of ``--user``
(by default the unit's first active clerk), and records the command in the audit log with
the operating-system account that ran it. Exit codes: 0 done; 2 a refused input (not XML, no
header, a missing attachment, too big, unknown document or unit, already imported); 3 an
unexpected error. Nothing is written when the import is refused.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from dieuhanh.cli_export import _Refused, check_target, guarded, write_file


def add_export_command(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = what.add_parser("edxml", help="một văn bản thành gói tin edXML (a document as an edXML package)",
                          description=__doc__.split("\n\n")[0])
    cmd.add_argument("--document", required=True, metavar="SỐ/KÝ HIỆU", help='ví dụ "313/UBND"')
    cmd.add_argument("--unit", metavar="MÃ", help="mã đơn vị giữ văn bản khi nhiều văn bản cùng số (owner unit)")
    cmd.add_argument("--out", required=True, metavar="TỆP", help="tệp .edxml sẽ ghi (output file)")
    cmd.set_defaults(handler=cmd_export_edxml)


def add_import_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imp = sub.add_parser("import", help="nhập dữ liệu (import data)")
    what = imp.add_subparsers(dest="what", metavar="DỮ LIỆU (WHAT)")
    what.required = True
    cmd = what.add_parser("edxml", help="nhập gói tin edXML vào sổ văn bản đến (import an edXML package)",
                          description=__doc__.split("\n\n")[0])
    cmd.add_argument("file", metavar="TỆP")
    cmd.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị nhận (receiving unit code)")
    cmd.add_argument("--user", metavar="TÊN", help="tài khoản văn thư vào sổ (clerk account; default: the unit's)")
    cmd.set_defaults(handler=cmd_import_edxml)


def _document(args: argparse.Namespace) -> Any:
    from dieuhanh.documents.models import Document, number_symbol_key

    found = Document.objects.filter(ns_key=number_symbol_key(args.document)).select_related("owner_unit")
    if args.unit:
        found = found.filter(owner_unit__code=args.unit.strip())
    found = list(found.order_by("direction", "pk")[:10])
    if not found:
        raise _Refused(f"không tìm thấy văn bản số, ký hiệu “{args.document}” (unknown document)")
    if len({d.owner_unit_id for d in found}) > 1:
        units = ", ".join(sorted({d.owner_unit.code for d in found}))
        raise _Refused(f"nhiều đơn vị giữ văn bản “{args.document}” ({units}): chọn một bằng --unit")
    return found[0]


def cmd_export_edxml(args: argparse.Namespace) -> int:
    def work() -> None:
        from dieuhanh.cli_server import _setup

        _setup()
        from dieuhanh.documents.edxml_io import export_document

        target = check_target(args.out)
        data = export_document(_document(args))
        write_file(target, lambda fp: fp.write(data))
        print(f"đã ghi {target} ({len(data)} byte)", file=sys.stderr)

    return guarded(work)


def _clerk(unit: Any, name: str | None) -> Any:
    from dieuhanh.accounts.models import Role, User

    if name:
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise _Refused(f"không có tài khoản “{name}” đang hoạt động (unknown user)")
        return user
    user = User.objects.filter(unit=unit, role=Role.VAN_THU, is_active=True).order_by("pk").first()
    if user is None:
        raise _Refused(f"đơn vị “{unit.code}” chưa có văn thư: dùng --user TÊN (the unit has no clerk)")
    return user


def cmd_import_edxml(args: argparse.Namespace) -> int:
    def work() -> None:
        from dieuhanh.documents import edxml

        try:
            size = os.path.getsize(args.file)
        except OSError as err:
            raise _Refused(f"không đọc được “{args.file}” ({err.strerror or err})") from err
        if size > edxml.MAX_FILE_BYTES:
            raise _Refused(edxml.too_big_message(size))
        from dieuhanh.cli_server import _setup

        _setup()
        from django.core.exceptions import PermissionDenied, ValidationError

        from dieuhanh.accounts.commands import record_command
        from dieuhanh.documents.edxml_io import import_package
        from dieuhanh.orgs.models import Unit

        unit = Unit.objects.filter(code=args.unit.strip()).first()
        if unit is None:
            raise _Refused(f"không tìm thấy đơn vị có mã “{args.unit}” (unknown unit code)")
        user = _clerk(unit, args.user)
        with open(args.file, "rb") as handle:
            data = handle.read(edxml.MAX_FILE_BYTES + 1)
        try:
            document = import_package(data, unit, user)
        except edxml.EdxmlError as err:
            raise _Refused(str(err)) from None
        except (ValidationError, PermissionDenied) as err:
            raise _Refused(" ".join(getattr(err, "messages", [str(err)]))) from None
        record_command("import edxml", f"{args.file} → {unit.code}", obj=document)
        print(f"đã vào sổ: {document} — số đến {document.reg_number}/{document.reg_year} ({unit.name})")

    return guarded(work)
