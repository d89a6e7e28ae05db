"""The task story of the demo (``load_demo``): 313/UBND carried through to the end, and today's work.

1. **313/UBND, March–May 2020.** Phòng Nội vụ's specialist (``cv.noivu``) opens the
   letter, takes the proposals ``propose_tasks`` reads from it — exactly what the
   "Giao việc" page shows — and issues them with ``services.issue_tasks``: every
   specialised office and every ward implements Kế hoạch 29/KH-UBND; Phòng Nội vụ
   gets the plan / summary / assessment / commendation task (due 09/04/2020: "trước
   ngày 10/4/2020", strict rule) and the report to Sở Nội vụ (due 30/04/2020). The
   letter gives the implementation task no date of its own; the specialist gives it
   the summary deadline, as one would on the form.
2. **A simulated history.** Ward chairmen and office heads acknowledge, report progress
   and submit through the real services; the specialist accepts or returns; one ward
   asks for an extension that Phòng Nội vụ's head approves. The services stamp
   "now"; the dates of 2020 are then written onto the rows (``acknowledged_at``,
   ``submitted_at`` — ``completed_on`` follows it —, notes, extension). The audit log
   keeps the real time it was done: the history is simulated and says so.
3. **Live tasks** relative to today, from a meeting (``services.create_task``), in the
   units in force today (the district was dissolved on 01/07/2025): one overdue by
   five working days, one due today, one due in two working days, one nobody has
   acknowledged — so the reminder worker has something to say.

Everything is idempotent: the 313/UBND story runs once (nothing when Phòng Nội vụ
already issued tasks from the letter), each live task once (by title and source).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from dieuhanh.accounts.models import Role

STORY_ACCOUNTS = (
    # The wards' chairmen (Lê Bình's is ct.lebinh) and the offices' heads (Nội vụ's is tp.noivu).
    ("ct.balang", "Huỳnh Văn Tài", Role.LANH_DAO_UBND, "p_ba_lang", "Chủ tịch UBND phường Ba Láng"),
    ("ct.hungphu", "Lý Thị Mai", Role.LANH_DAO_UBND, "p_hung_phu", "Chủ tịch UBND phường Hưng Phú"),
    ("ct.hungthanh", "Ngô Văn Hải", Role.LANH_DAO_UBND, "p_hung_thanh", "Chủ tịch UBND phường Hưng Thạnh"),
    ("ct.phuthu", "Đỗ Thị Ngọc", Role.LANH_DAO_UBND, "p_phu_thu", "Chủ tịch UBND phường Phú Thứ"),
    ("ct.tanphu", "Bùi Văn Phúc", Role.LANH_DAO_UBND, "p_tan_phu", "Chủ tịch UBND phường Tân Phú"),
    ("ct.thuongthanh", "Trương Thị Yến", Role.LANH_DAO_UBND, "p_thuong_thanh", "Chủ tịch UBND phường Thường Thạnh"),
    ("cvp.cairang", "Phan Văn Lộc", Role.LANH_DAO_DON_VI, "vp_hdnd_ubnd", "Chánh Văn phòng HĐND và UBND quận"),
    ("tp.gddt", "Hồ Thị Thanh", Role.LANH_DAO_DON_VI, "phong_gddt", "Trưởng phòng Giáo dục và Đào tạo"),
    ("tp.kinhte", "Dương Văn Khoa", Role.LANH_DAO_DON_VI, "phong_kinh_te", "Trưởng phòng Kinh tế"),
    ("tp.ldtbxh", "Mai Thị Hạnh", Role.LANH_DAO_DON_VI, "phong_ldtbxh", "Trưởng phòng Lao động - TB và XH"),
    ("tp.qldt", "Châu Văn Nghĩa", Role.LANH_DAO_DON_VI, "phong_qldt", "Trưởng phòng Quản lý đô thị"),
    ("tp.tckh", "Lâm Thị Kim", Role.LANH_DAO_DON_VI, "phong_tc_kh", "Trưởng phòng Tài chính - Kế hoạch"),
    ("tp.tnmt", "Tạ Văn Sơn", Role.LANH_DAO_DON_VI, "phong_tnmt", "Trưởng phòng Tài nguyên và Môi trường"),
    ("tp.tuphap", "Kiều Thị Oanh", Role.LANH_DAO_DON_VI, "phong_tu_phap", "Trưởng phòng Tư pháp"),
    ("tp.vhtt", "Quách Văn Toàn", Role.LANH_DAO_DON_VI, "phong_vhtt", "Trưởng phòng Văn hóa và Thông tin"),
    ("tp.yte", "La Thị Diễm", Role.LANH_DAO_DON_VI, "phong_yte", "Trưởng phòng Y tế"),
    ("cct.cairang", "Triệu Văn Minh", Role.LANH_DAO_DON_VI, "thanh_tra", "Chánh Thanh tra quận Cái Răng"),
    # Today's units (after 01/07/2025): the live tasks.
    ("pct.cantho", "Nguyễn Văn Thành", Role.LANH_DAO_UBND, "cantho_city_2025", "Phó Chủ tịch UBND thành phố Cần Thơ"),
    ("ct.phuongcairang", "Lê Thị Phương", Role.LANH_DAO_UBND, "p_cai_rang_2025", "Chủ tịch UBND phường Cái Răng"),
    ("cv.sonoivu", "Võ Văn Hiếu", Role.CHUYEN_VIEN, "so_noi_vu_2025", "Chuyên viên Sở Nội vụ thành phố Cần Thơ"),
)
STORY_USERNAMES = frozenset(a[0] for a in STORY_ACCOUNTS)
STORY_UNIT_CODES = tuple(dict.fromkeys(a[3] for a in STORY_ACCOUNTS))
DOERS = {a[3]: a[0] for a in STORY_ACCOUNTS} | {"p_le_binh": "ct.lebinh", "phong_noi_vu": "cv.noivu"}
SPECIALIST, HEAD = "cv.noivu", "tp.noivu"
ISSUED_ON = date(2020, 3, 3)
MEETING = "Kết luận cuộc họp giao ban UBND thành phố (dữ liệu trình diễn)"
LIVE_ISSUER = "pct.cantho"


# --- the script ------------------------------------------------------------------------------------
# One list of steps per unit: (kind, day, *args). Kinds: ack, progress (percent, text), submit (text),
# return (reason, by the specialist), accept (by the specialist; completed_on = the submission's day),
# extend (proposed due, decision day; asked by the unit, approved by Phòng Nội vụ's head).

def _d(day: int, month: int) -> date:
    return date(2020, month, day)


def _done(ack: date, submit: date, progress: tuple[date, int] | None = None) -> list[tuple[Any, ...]]:
    steps: list[tuple[Any, ...]] = [("ack", ack)]
    if progress:
        steps.append(("progress", progress[0], progress[1], "Đã xây dựng kế hoạch của đơn vị, đang tự đánh giá."))
    steps += [("submit", submit, "Báo cáo tổng kết CCHC giai đoạn 2011-2020 của đơn vị."), ("accept", submit)]
    return steps


IMPLEMENT_SCRIPT: dict[str, list[tuple[Any, ...]]] = {
    # done on time (due 09/04/2020)
    "phong_noi_vu": _done(_d(3, 3), _d(6, 4), (_d(20, 3), 50)),
    "vp_hdnd_ubnd": _done(_d(3, 3), _d(1, 4)),
    "phong_gddt": _done(_d(4, 3), _d(3, 4), (_d(16, 3), 40)),
    "phong_tc_kh": _done(_d(3, 3), _d(8, 4)),
    "phong_tu_phap": _done(_d(5, 3), _d(7, 4)),
    "phong_yte": _done(_d(5, 3), _d(9, 4)),
    "thanh_tra": _done(_d(4, 3), _d(2, 4)),
    "p_le_binh": _done(_d(3, 3), _d(6, 4), (_d(18, 3), 50)),
    "p_hung_phu": _done(_d(4, 3), _d(8, 4)),
    "p_phu_thu": [("ack", _d(3, 3)), ("submit", _d(7, 4), "Báo cáo tổng kết CCHC của phường."),
                  ("return", _d(8, 4), "Báo cáo chưa có số liệu thủ tục hành chính giải quyết đúng hạn; bổ sung."),
                  ("submit", _d(9, 4), "Báo cáo tổng kết CCHC của phường (đã bổ sung số liệu)."),
                  ("accept", _d(9, 4))],
    # done late
    "phong_kinh_te": _done(_d(6, 3), _d(14, 4), (_d(1, 4), 70)),
    "phong_ldtbxh": _done(_d(10, 3), _d(17, 4)),
    "p_ba_lang": _done(_d(9, 3), _d(16, 4)),
    # the extension: due 09/04 moved to 24/04, finished 22/04 — late against the original date
    "p_hung_thanh": [("ack", _d(5, 3)), ("progress", _d(30, 3), 40, "Đang tổng hợp số liệu từ các khu vực."),
                     ("extend", _d(6, 4), _d(24, 4), _d(7, 4),
                      "Phường đang tập trung phòng, chống dịch Covid-19; xin lùi hạn báo cáo."),
                     ("submit", _d(22, 4), "Báo cáo tổng kết CCHC của phường."), ("accept", _d(22, 4))],
    # still open, overdue
    "phong_tnmt": [("ack", _d(5, 3)), ("progress", _d(25, 3), 30, "Đang thu thập số liệu."),
                   ("progress", _d(20, 4), 80, "Đã có dự thảo báo cáo, chờ lãnh đạo phòng cho ý kiến.")],
    "phong_qldt": [("ack", _d(12, 3))],
    "phong_vhtt": [("ack", _d(4, 3)), ("progress", _d(2, 4), 90, "Hoàn thiện dự thảo báo cáo."),
                   ("submit", _d(21, 4), "Báo cáo tổng kết CCHC của phòng.")],
    "p_tan_phu": [("ack", _d(4, 3)), ("progress", _d(1, 4), 60, "Đã họp triển khai, đang đánh giá.")],
    "p_thuong_thanh": [],  # never acknowledged
}
NOI_VU_SCRIPTS = (  # Phòng Nội vụ's own two tasks, in the order of the proposals
    [("ack", _d(3, 3)), ("progress", _d(16, 3), 30, "Đã trình dự thảo Kế hoạch tổng kết CCHC của quận."),
     ("progress", _d(27, 3), 70, "Kế hoạch đã ban hành; đang tổng hợp báo cáo của các đơn vị."),
     ("submit", _d(8, 4), "Đã tổ chức tổng kết; đề xuất khen thưởng 5 tập thể, 8 cá nhân."), ("accept", _d(8, 4))],
    [("ack", _d(3, 3)), ("progress", _d(20, 4), 60, "Dự thảo báo cáo tổng kết theo đề cương của Sở Nội vụ."),
     ("submit", _d(28, 4), "Báo cáo tổng kết đã gửi Sở Nội vụ thành phố."), ("accept", _d(28, 4))],
)


@dataclass(frozen=True)
class Live:
    title: str
    unit: str
    due: int            # working days from today (negative: past)
    issued: int         # working days from today
    steps: tuple[tuple[Any, ...], ...]  # ("ack",) / ("progress", percent, text)


LIVE_TASKS = (
    Live("Báo cáo kết quả rà soát hồ sơ thủ tục hành chính tồn đọng", "p_cai_rang_2025", -5, -15,
         (("ack",), ("progress", 40, "Đã rà soát 2/5 bộ phận một cửa."))),
    Live("Gửi danh sách cán bộ tham gia tập huấn chuyển đổi số", "so_noi_vu_2025", 0, -6, (("ack",),)),
    Live("Chuẩn bị báo cáo tình hình tiếp công dân trong tháng", "p_cai_rang_2025", 2, -4,
         (("ack",), ("progress", 20, "Đang tổng hợp số liệu."))),
    Live("Kiểm tra công tác phòng cháy, chữa cháy tại trụ sở", "p_cai_rang_2025", 10, -3, ()),
)


# --- running it ----------------------------------------------------------------------------------------

def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _stamp(model: Any, pk: int, **fields: Any) -> None:
    """Write a simulated date onto a row the services just stamped with now (no audit: see the docstring)."""
    model.objects.filter(pk=pk).update(**fields)


def story_exists(letter: Any, units: dict[str, Any]) -> bool:
    from dieuhanh.tasks.models import Task

    return Task.objects.filter(document=letter, parent__isnull=True, assigned_by_unit=units["phong_noi_vu"]).exists()


def share_with_noi_vu(clerk: Any, letter: Any, noi_vu: Any) -> None:
    """The district's clerk distributes 313/UBND to Phòng Nội vụ (the specialist who issues its tasks)."""
    from dieuhanh.documents.services import share_document

    current = list(letter.shared_with.all())
    if noi_vu not in current:
        share_document(clerk, letter, [*current, noi_vu])


def issue_313(users: dict[str, Any], letter: Any, units: dict[str, Any]) -> list[Any]:
    """The specialist's "Giao việc": the proposals as read, the summary deadline on the implementation task."""
    from dieuhanh.tasks import services
    from dieuhanh.tasks.models import Assignment, Task
    from dieuhanh.tasks.proposals import propose_tasks

    specialist = users[SPECIALIST]
    proposals = propose_tasks(letter)
    dated = [p for p in proposals if p.due_on is not None]
    edited = []
    for p in proposals:
        if p.due_on is None and dated:  # the letter sets no date of its own for "triển khai thực hiện"
            p = dataclasses.replace(p, due_on=dated[0].due_on, deadline_phrase=dated[0].deadline_phrase,
                                    deadline_kind=dated[0].deadline_kind)
        edited.append(p)
    tasks = services.issue_tasks(specialist, letter, edited, already_issued=services.issued_count(specialist, letter))
    ids = [t.pk for t in tasks]
    Task.objects.filter(pk__in=ids).update(issued_at=_at(ISSUED_ON, 8, 30))
    Assignment.objects.filter(task_id__in=ids).update(created_at=_at(ISSUED_ON, 8, 30))
    return tasks


def play(users: dict[str, Any], assignment: Any, steps: list[tuple[Any, ...]]) -> None:
    """Run one unit's steps through the services as the acting users, then date them."""
    from dieuhanh.tasks import services
    from dieuhanh.tasks.models import Assignment, Extension, ProgressNote

    a = assignment
    doer = users[DOERS[a.unit.code]]
    for step in steps:
        kind, day = step[0], step[1] if len(step) > 1 and isinstance(step[1], date) else None
        when = _at(day, 14) if day else None
        if kind == "ack":
            services.acknowledge(doer, a)
            if when:
                _stamp(Assignment, a.pk, acknowledged_at=_at(day, 8, 15))
        elif kind == "progress":
            percent, text = (step[2], step[3]) if day else (step[1], step[2])
            note = services.update_progress(doer, a, percent, text)
            if when:
                _stamp(ProgressNote, note.pk, at=when)
        elif kind == "submit":
            services.submit_result(doer, a, note=step[2])
            if when:
                _stamp(Assignment, a.pk, submitted_at=when)
                last = a.notes.order_by("-id").first()
                if last is not None:
                    _stamp(ProgressNote, last.pk, at=when)
        elif kind == "return":
            services.return_assignment(users[SPECIALIST], a, step[2])
        elif kind == "accept":
            a.refresh_from_db()  # completed_on follows the (dated) submission
            services.accept(users[SPECIALIST] if a.unit.code != "phong_noi_vu" else users[HEAD], a)
        elif kind == "extend":
            new_due, decided_on, reason = step[2], step[3], step[4]
            ext = services.request_extension(doer, a, reason, new_due)
            services.decide_extension(users[HEAD], ext, True, "Đồng ý gia hạn do phường tập trung phòng, chống dịch.")
            _stamp(Extension, ext.pk, requested_at=_at(day, 10), decided_at=_at(decided_on, 15))
        a.refresh_from_db()


def history(users: dict[str, Any], tasks: list[Any]) -> None:
    from dieuhanh.tasks.models import Assignment

    own = 0  # Phòng Nội vụ's own tasks, in order
    for task in tasks:
        rows = list(Assignment.objects.filter(task=task).select_related("unit", "task"))
        if [a.unit.code for a in rows] == ["phong_noi_vu"]:
            play(users, rows[0], NOI_VU_SCRIPTS[own] if own < len(NOI_VU_SCRIPTS) else [])
            own += 1
            continue
        for a in rows:
            if a.unit.code in DOERS:
                play(users, a, IMPLEMENT_SCRIPT.get(a.unit.code, []))


def live_tasks(users: dict[str, Any], units: dict[str, Any], today: date) -> int:
    """The meeting's tasks, relative to today; returns how many were created now."""
    from dieuhanh.tasks import services
    from dieuhanh.tasks.calendar import work_calendar
    from dieuhanh.tasks.models import Assignment, Task

    issuer = users[LIVE_ISSUER]
    cal = work_calendar()
    created = 0
    for live in LIVE_TASKS:
        if Task.objects.filter(title=live.title, source_note=MEETING, assigned_by_unit_id=issuer.unit_id).exists():
            continue
        due = cal.add_working_days(today, live.due) if live.due else today
        issued = cal.add_working_days(today, live.issued)
        with transaction.atomic():
            task = services.create_task(issuer, live.title, [units[live.unit]], due, source_note=MEETING,
                                        description="Giao tại cuộc họp giao ban; theo dõi trên hệ thống.")
            Task.objects.filter(pk=task.pk).update(issued_at=_at(issued, 16))
            Assignment.objects.filter(task=task).update(created_at=_at(issued, 16))
            a = Assignment.objects.select_related("unit", "task").get(task=task)
            doer = users[DOERS[live.unit]]
            for step in live.steps:
                if step[0] == "ack":
                    services.acknowledge(doer, a)
                    _stamp(Assignment, a.pk, acknowledged_at=_at(cal.add_working_days(issued, 1), 8, 30))
                elif step[0] == "progress":
                    services.update_progress(doer, a, step[1], step[2])
                a.refresh_from_db()
        created += 1
    return created


def run(users: dict[str, Any], letter: Any, units: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """The whole story; returns what the summary prints."""
    today = today or timezone.localdate()
    share_with_noi_vu(users["vanthu.cairang"], letter, units["phong_noi_vu"])
    created_story = False
    if not story_exists(letter, units):
        with transaction.atomic():
            tasks = issue_313(users, letter, units)
            history(users, tasks)
        created_story = True
    created_live = live_tasks(users, units, today)
    # The simulated history rewrote completion dates with UPDATEs (_stamp): count finished work again.
    from dieuhanh.tasks import tally

    tally.rebuild()
    return {"created_story": created_story, "created_live": created_live, "today": today}


def summary(letter: Any, units: dict[str, Any], today: date) -> list[str]:
    from django.db.models import Count

    from dieuhanh.tasks.buckets import bucket_counts
    from dieuhanh.tasks.models import Assignment, Bucket, Extension, Status, Task

    lines = []
    tasks = (Task.objects.filter(document=letter, parent__isnull=True, assigned_by_unit=units["phong_noi_vu"])
             .annotate(n=Count("assignments")).order_by("issued_at", "id"))
    lines.append(f"Nhiệm vụ từ {letter.number_symbol} (giao bởi {SPECIALIST} qua «Giao việc»): {len(tasks)}")
    for t in tasks:
        due = t.assignments.values_list("original_due_on", flat=True).first()
        lines.append(f"  - {t.title[:70]}… — {t.n} đơn vị, hạn {due.strftime('%d/%m/%Y') if due else '—'}")
    story = Assignment.objects.filter(task__document=letter)
    statuses = dict(story.values_list("status").annotate(n=Count("id")))
    lines.append("  Trạng thái: " + ", ".join(f"{Status(s).label} {n}" for s, n in sorted(statuses.items())))
    ext = Extension.objects.filter(assignment__task__document=letter).select_related("assignment__unit").first()
    if ext is not None:
        lines.append(f"  Gia hạn: {ext.assignment.unit.name} {ext.previous_due_on:%d/%m/%Y} → "
                     f"{ext.proposed_due_on:%d/%m/%Y} ({ext.get_status_display()}); hạn ban đầu giữ nguyên để chấm điểm")
    lines.append("  Lịch sử 03–05/2020 là MÔ PHỎNG: các bước chạy hôm nay qua đúng các hàm nghiệp vụ, rồi ghi lùi "
                 "ngày tháng; nhật ký kiểm tra giữ thời điểm thật.")
    live = Assignment.objects.filter(task__source_note=MEETING).select_related("unit", "task").order_by("due_on")
    lines.append(f"Nhiệm vụ đang theo dõi (tính theo hôm nay {today:%d/%m/%Y}): {live.count()}")
    for a in live:
        lines.append(f"  - {a.task.title} — {a.unit.name}, hạn {a.due_on:%d/%m/%Y}, {a.get_status_display()}")
    counts = bucket_counts(Assignment.objects.all(), on=today)
    lines.append("Tổng hợp theo bốn nhóm: " + " · ".join(f"{b.label} {counts[b.value]}" for b in Bucket))
    return lines
