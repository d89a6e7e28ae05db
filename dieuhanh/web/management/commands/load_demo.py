"""``dieuhanh manage load_demo``: the demonstration data ``dieuhanh demo`` / ``make demo`` serve.

On an empty database (after ``migrate``) it loads the packaged Cần Thơ unit tree,
creates one account per role, the registers of UBND quận Cái Răng, Phòng Nội vụ and
the wards, two documents of March 2020:

* Kế hoạch 29/KH-UBND of UBND thành phố Cần Thơ (27/02/2020), entered as an incoming
  record (metadata only, no file), and
* Công văn 313/UBND of UBND quận Cái Răng (02/03/2020), read from
  ``dieuhanh/web/demo_data/313-UBND.txt`` through the clerk's intake path
  (``preview_intake`` then ``register_document``), which links it to 29/KH-UBND,
  and distributed to Phòng Nội vụ;

and the task story of ``dieuhanh.web.demo_story`` (unless ``--no-story``): the tasks of
313/UBND issued by Phòng Nội vụ's specialist from the proposals, a simulated history
of 2020, and a few live tasks due around today. A summary per bucket ends the output.

Running it again adds nothing twice. It refuses a database holding accounts other
than the demo ones (a real installation), unless ``--force``: the demo passwords are
printed and public.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dieuhanh.accounts.models import Role, User
from dieuhanh.web import demo_drafts, demo_evaluation, demo_reports, demo_story

DEMO_DATA = Path(__file__).resolve().parents[2] / "demo_data"
SEED_FILE = DEMO_DATA / "313-UBND.txt"
PASSWORD = "trinhdien-2020"
DISTRICT, NOI_VU, CITY, WARD = "ubnd_q_cairang", "phong_noi_vu", "ubnd_tp_cantho", "p_le_binh"
DEMO_DAY = date(2020, 3, 2)  # the day of 313/UBND: the units in force then

# username, full name, role, unit code, position
ACCOUNTS = (
    ("vanthu.cairang", "Nguyễn Thị Thu", Role.VAN_THU, DISTRICT, "Văn thư UBND quận Cái Răng"),
    ("cv.noivu", "Trần Văn Bình", Role.CHUYEN_VIEN, NOI_VU, "Chuyên viên Phòng Nội vụ"),
    ("tp.noivu", "Đặng Thị Lan", Role.LANH_DAO_DON_VI, NOI_VU, "Trưởng phòng Nội vụ quận Cái Răng"),
    ("pct.cairang", "Lê Văn Cường", Role.LANH_DAO_UBND, DISTRICT, "Phó Chủ tịch UBND quận Cái Răng"),
    ("ct.lebinh", "Phạm Văn Dũng", Role.LANH_DAO_UBND, WARD, "Chủ tịch UBND phường Lê Bình"),
    ("vanthu.lebinh", "Võ Thị Hoa", Role.VAN_THU, WARD, "Văn thư UBND phường Lê Bình"),
    ("quantri", "Quản trị hệ thống", Role.QUAN_TRI, CITY, "Quản trị hệ thống"),
)
USERNAMES = frozenset(a[0] for a in ACCOUNTS) | demo_story.STORY_USERNAMES

PLAN_29 = {
    "doc_type": "Kế hoạch", "number": 29, "symbol": "KH-UBND", "number_symbol": "29/KH-UBND",
    "issuer": "Ủy ban nhân dân thành phố Cần Thơ", "place": "Cần Thơ", "issued_on": date(2020, 2, 27),
    "arrived_on": date(2020, 2, 28), "sender": "Ủy ban nhân dân thành phố Cần Thơ",
    "subject": ("tổng kết công tác cải cách hành chính giai đoạn 2011-2020 và xây dựng phương hướng, "
                "nhiệm vụ công tác cải cách hành chính giai đoạn 2021-2030"),
}


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn: đơn vị, tài khoản, sổ và hai văn bản mẫu (load the demo data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true",
                            help="nạp cả khi CSDL đã có tài khoản khác (load even if other accounts exist)")
        parser.add_argument("--no-story", action="store_true",
                            help="không tạo nhiệm vụ trình diễn (documents only, no tasks)")

    def handle(self, *args: Any, **options: Any) -> None:
        others = User.objects.exclude(username__in=USERNAMES)
        if others.exists() and not options["force"]:
            raise CommandError(
                "CSDL này đã có tài khoản không phải tài khoản trình diễn (ví dụ "
                f"{others.first().username!r}); không nạp dữ liệu trình diễn với mật khẩu công khai vào đây. "
                "Dùng --force nếu thật sự muốn.")
        if not SEED_FILE.is_file():
            raise CommandError(f"Thiếu tệp văn bản mẫu {SEED_FILE}.")
        with transaction.atomic():
            units = self._units()
        users = self._users(units)
        registers = self._registers(units)
        plan, letter = self._documents(users, units, registers)
        self._report(users, registers, plan, letter)
        if options["no_story"]:
            demo_story.share_with_noi_vu(users["vanthu.cairang"], letter, units[NOI_VU])
        else:
            self._story(users, letter, units)
            request = self._reports(users, letter, units)
            self._drafts(users, units, letter, request)
            self._evaluation(users, letter, units)

    # --- steps ------------------------------------------------------------------------

    def _units(self) -> dict[str, Any]:
        from dieuhanh.orgs.models import Unit
        from dieuhanh.orgs.services import load_default

        result = load_default()
        if not result.ok:
            raise CommandError("Không nạp được danh sách đơn vị:\n" + "\n".join(result.errors))
        self.stdout.write(f"Đơn vị: {result.summary()}")
        wanted = tuple(dict.fromkeys((DISTRICT, NOI_VU, CITY, WARD, *demo_story.STORY_UNIT_CODES)))
        units = {u.code: u for u in Unit.objects.filter(code__in=wanted)}
        missing = [c for c in wanted if c not in units]
        if missing:
            raise CommandError(f"Danh sách đơn vị mặc định thiếu: {', '.join(missing)}")
        units["wards"] = list(Unit.objects.in_force(DEMO_DAY).filter(parent=units[DISTRICT], kind="ubnd_xa")
                              .order_by("name"))
        return units

    def _users(self, units: dict[str, Any]) -> dict[str, User]:
        from dieuhanh.accounts.services import create_user

        users = {}
        for username, full_name, role, unit_code, position in (*ACCOUNTS, *demo_story.STORY_ACCOUNTS):
            user = User.objects.filter(username=username).first()
            if user is None:
                user = create_user(None, {"username": username, "full_name": full_name, "role": role,
                                          "unit": units[unit_code], "position": position, "password": PASSWORD},
                                   note="Tài khoản trình diễn")
            users[username] = user
        return users

    def _registers(self, units: dict[str, Any]) -> dict[str, Any]:
        from dieuhanh.documents.models import Direction

        district = units[DISTRICT]
        registers = {
            "district_out": _register(district, Direction.OUTGOING, "Sổ văn bản đi"),
            "district_in": _register(district, Direction.INCOMING, "Sổ văn bản đến"),
            "noi_vu_in": _register(units[NOI_VU], Direction.INCOMING, "Sổ văn bản đến"),
        }
        for ward in units["wards"]:
            registers[f"ward_in:{ward.code}"] = _register(ward, Direction.INCOMING, "Sổ văn bản đến")
        return registers

    def _documents(self, users: dict[str, User], units: dict[str, Any], registers: dict[str, Any]) -> tuple[Any, Any]:
        """29/KH-UBND entered as incoming; 313/UBND drafted, reviewed, signed and issued (``demo_drafts``)."""
        from dieuhanh.documents.services import register_document

        plan = register_document(users["vanthu.cairang"], registers["district_in"], dict(PLAN_29),
                                 idempotency_key="demo-29-KH-UBND")
        letter = demo_drafts.letter_313(users, units, registers["district_out"], SEED_FILE)
        return plan, letter

    # --- output -------------------------------------------------------------------------

    def _report(self, users: dict[str, User], registers: dict[str, Any], plan: Any, letter: Any) -> None:
        out = self.stdout.write
        out(f"Sổ văn bản: {len(registers)}")
        out(f"Văn bản đến: {plan.number_symbol} — số đến {plan.reg_number}/{plan.reg_year}")
        cited = [c.number_symbol for c in letter.citations.filter(cited=plan)]
        link = f" — dẫn chiếu {', '.join(cited)}" if cited else " — CHƯA liên kết tới 29/KH-UBND"
        out(f"Văn bản đi: {letter.number_symbol} — số đi {letter.reg_number}/{letter.reg_year}{link}")
        rows = [("Tên đăng nhập", "Mật khẩu", "Vai trò", "Chức vụ")]
        rows += [(u.username, PASSWORD, str(u.get_role_display()), u.position) for u in users.values()]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        out("")
        out(self.style.SUCCESS("Tài khoản trình diễn (demo logins)"))
        out(line)
        for i, row in enumerate(rows):
            out("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
            if i == 0:
                out(line)
        out(line)

    def _story(self, users: dict[str, User], letter: Any, units: dict[str, Any]) -> None:
        result = demo_story.run(users, letter, units)
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS("Câu chuyện nhiệm vụ (task story)"))
        if not result["created_story"] and not result["created_live"]:
            out("Đã có sẵn từ lần nạp trước; không tạo thêm.")
        for text in demo_story.summary(letter, units, result["today"]):
            out(text)


    def _drafts(self, users: dict[str, User], units: dict[str, Any], letter: Any, request: Any) -> None:
        documents = [letter, demo_drafts.district_plan(users, units),
                     demo_drafts.consolidated_report(users, request)]
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS("Văn bản đi qua dự thảo, duyệt, ký, cấp số (drafting story)"))
        for text in demo_drafts.summary(documents):
            out(text)

    def _reports(self, users: dict[str, User], letter: Any, units: dict[str, Any]) -> Any:
        result = demo_reports.run(users, letter, units)
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS("Báo cáo tổng kết CCHC (report story)"))
        if not result["created"]:
            out("Đã có sẵn từ lần nạp trước; không tạo thêm.")
        for text in demo_reports.summary(result["request"]):
            out(text)
        return result["request"]

    def _evaluation(self, users: dict[str, User], letter: Any, units: dict[str, Any]) -> None:
        result = demo_evaluation.run(users, letter, units)
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS("Đánh giá, xếp hạng CCHC 2020 và khen thưởng (evaluation story)"))
        if not result["created"]:
            out("Đã có sẵn từ lần nạp trước; không tạo thêm.")
        for text in demo_evaluation.summary(result["round"]):
            out(text)


def _register(unit: Any, direction: str, name: str) -> Any:
    from dieuhanh.accounts.audit import record, snapshot
    from dieuhanh.accounts.models import AuditAction
    from dieuhanh.documents.models import Register

    with transaction.atomic():
        register = Register.objects.filter(unit=unit, direction=direction, name=name).first()
        if register is None:
            register = Register.objects.create(unit=unit, direction=direction, name=name)
            record(None, AuditAction.CREATE, register, after=snapshot(register), note="Dữ liệu trình diễn")
    return register
