"""The report story of the demo (``load_demo``): the units report, Phòng Nội vụ consolidates.

313/UBND ends with a report: every specialised office and every ward reports on
administrative reform 2011-2020; Phòng Nội vụ collects the reports, consolidates them
and the district sends one report, following the outline, to Sở Nội vụ before 01/05/2020.

1. **The request.** On 16/03/2020 Phòng Nội vụ's specialist (``cv.noivu``) asks the units
   that received "implement Plan 29/KH-UBND" for their report, with the built-in CCHC
   2011-2020 outline, from the district's own task "send the report to Sở Nội vụ"
   (``services.create_request`` with ``source_assignment``), due 09/04/2020.
2. **Simulated submissions**, through the real services as the units' users, then dated
   to 2020 like the task story: most units send on time and are accepted; two send late;
   Phường Phú Thứ is returned (its dossier figures did not add up) and sends again;
   Phòng Văn hóa và Thông tin sent late and waits for review; Phường Tân Phú keeps a
   draft it never sent, and Phường Thường Thạnh never reports: both are missing.
   The figures are generated per unit (seeded, so every demo is the same) and satisfy
   the outline's rules — the services validate them as they would a user's.
3. **The consolidation**, built by the specialist from the accepted reports: ready to be
   edited, downloaded (DOCX, XLSX) and issued as an outgoing document to Sở Nội vụ.

Idempotent: nothing happens when the request already exists.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from django.db import transaction

from dieuhanh.web.demo_story import DOERS, SPECIALIST, _at, _d, _stamp

TITLE = "Báo cáo tổng kết Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2011-2020"
REQUESTED_ON = date(2020, 3, 16)
DUE_ON = date(2020, 4, 9)
RECIPIENT = "Sở Nội vụ thành phố Cần Thơ"
INSTRUCTIONS = ("Thực hiện Công văn số 313/UBND ngày 02/3/2020 của UBND quận: các cơ quan chuyên môn và "
                "UBND các phường báo cáo tổng kết theo đề cương, số liệu tính đến ngày 31/3/2020.")

# (kind, day, *args): send (the report, on that day), return (reason), accept, draft.
ON_TIME = {
    "vp_hdnd_ubnd": _d(1, 4), "thanh_tra": _d(2, 4), "phong_gddt": _d(3, 4), "p_le_binh": _d(6, 4),
    "phong_tu_phap": _d(7, 4), "phong_tc_kh": _d(8, 4), "p_hung_phu": _d(8, 4), "phong_yte": _d(9, 4),
    "phong_noi_vu": _d(6, 4), "phong_tnmt": _d(9, 4), "phong_qldt": _d(9, 4), "p_hung_thanh": _d(9, 4),
}
SCRIPTS: dict[str, list[tuple[Any, ...]]] = {
    **{code: [("send", day), ("accept", _d(min(day.day + 1, 10), 4))] for code, day in ON_TIME.items()},
    "phong_kinh_te": [("send", _d(14, 4)), ("accept", _d(15, 4))],          # late
    "phong_ldtbxh": [("send", _d(17, 4)), ("accept", _d(17, 4))],           # late
    "p_ba_lang": [("send", _d(16, 4)), ("accept", _d(17, 4))],              # late
    "p_phu_thu": [("send", _d(7, 4)),
                  ("return", _d(8, 4), "Số hồ sơ đúng hạn cộng trễ hạn chưa khớp với số hồ sơ đã giải quyết "
                                       "theo sổ theo dõi của Bộ phận một cửa; đề nghị rà soát, gửi lại."),
                  ("send", _d(9, 4)), ("accept", _d(10, 4))],
    "phong_vhtt": [("send", _d(21, 4))],                                     # late, waiting for review
    "p_tan_phu": [("draft", _d(8, 4))],                                      # a draft, never sent: missing
    "p_thuong_thanh": [],                                                    # nothing: missing
}

NARRATIVE = {
    "1.1": "{unit} triển khai công tác cải cách hành chính trong điều kiện khối lượng công việc lớn, biên chế "
           "còn hạn chế; được sự quan tâm chỉ đạo của Quận ủy, UBND quận, sự phối hợp của các ngành.",
    "1.2": "Hằng năm {unit} ban hành kế hoạch CCHC, kiện toàn bộ phận tham mưu, lồng ghép tuyên truyền CCHC "
           "vào sinh hoạt cơ quan; kết quả CCHC là tiêu chí bình xét thi đua, khen thưởng cuối năm.",
    "1.3.1": "Tham mưu ban hành và rà soát văn bản đúng trình tự; không có văn bản trái pháp luật phải xử lý.",
    "1.3.2": "Niêm yết công khai đầy đủ thủ tục hành chính; hồ sơ được tiếp nhận, giải quyết qua Bộ phận một "
             "cửa, tỷ lệ đúng hạn giai đoạn 2016-2020 đạt {ontime}%.",
    "1.3.3": "Tổ chức bộ máy được sắp xếp theo hướng tinh gọn; thực hiện tinh giản biên chế theo lộ trình.",
    "1.3.4": "Xây dựng đề án vị trí việc làm; cử {trained} lượt cán bộ, công chức tham gia đào tạo, bồi dưỡng.",
    "1.3.5": "Thực hiện cơ chế tự chủ về biên chế và kinh phí quản lý hành chính; quản lý tài sản công đúng quy định.",
    "1.3.6": "Ứng dụng phần mềm quản lý văn bản, chữ ký số; {digital}% văn bản trao đổi dưới dạng điện tử.",
    "1.4.1": "Hoàn thành cơ bản các mục tiêu của Chương trình tổng thể; chất lượng phục vụ người dân được nâng lên.",
    "1.4.2": "Một số hồ sơ còn trễ hạn; ứng dụng công nghệ thông tin chưa đồng bộ; cơ sở vật chất còn thiếu.",
    "1.4.3": "Khối lượng hồ sơ tăng nhanh; một số cán bộ chưa thật sự chủ động; kinh phí đầu tư còn hạn chế.",
    "1.4.4": "Người đứng đầu quan tâm, sâu sát; gắn CCHC với thi đua, khen thưởng; lấy sự hài lòng làm thước đo.",
    "2.4": "Tiếp tục đẩy mạnh chuyển đổi số, nâng tỷ lệ hồ sơ trực tuyến; kiện toàn đội ngũ làm công tác CCHC.",
    "3": "Đề nghị thành phố tiếp tục đầu tư hạ tầng công nghệ thông tin cho Bộ phận một cửa cấp phường.",
    "4": "Đề nghị khen thưởng 01 tập thể và 02 cá nhân có thành tích xuất sắc trong thực hiện CCHC.",
}


def figures(schema: Any, unit_code: str, rng: random.Random) -> dict[str, Any]:
    """Plausible figures for every numeric cell of ``schema``'s tables that keep its rules."""
    ward = unit_code.startswith("p_")
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for table in schema.tables:
        rows: dict[str, dict[str, Any]] = {}
        for row in table.rows:
            cells: dict[str, Any] = {}
            for column in table.columns:
                kind = schema.cell_type(table.key, row.key, column.key)
                if kind != "text":
                    cells[column.key] = _value(kind, row, ward, rng)
            rows[row.key] = cells
        tables[table.key] = rows
    _keep_rules(schema, tables)
    return tables


# Ranges per unit and period for what a district office or a ward plausibly counts.
SMALL = {"đơn vị", "cơ quan", "tập thể", "cá nhân", "cuộc", "hạng", "văn bản", "vấn đề", "đợt", "dịch vụ"}
ROW_RANGES = {"ky_luat": (0, 2), "tinh_gian": (0, 3), "bo_nhiem": (0, 4), "tuyen_dung": (0, 6),
              "thu_hang": (1, 9), "don_vi_giam": (0, 1), "co_quan_chuyen_mon": (0, 1),
              "ho_so_tre_han": (0, 90), "tthc_don_gian_hoa": (0, 12), "tthc_lien_thong": (0, 15),
              "tthc_ra_soat": (10, 40), "ho_so_truc_tuyen": (0, 400)}


def _value(kind: str, row: Any, ward: bool, rng: random.Random) -> Any:
    if kind == "percent":
        return round(rng.uniform(82, 99.5), 1)
    if kind == "number" and row.unit == "điểm":
        return round(rng.uniform(72, 92), 2)
    if kind == "number":
        return round(rng.uniform(40, 600), 1)
    if row.key in ROW_RANGES:
        return rng.randint(*ROW_RANGES[row.key])
    scale = {"hồ sơ": (800, 6000) if ward else (50, 900), "lượt": (10, 120), "người": (3, 25),
             "thủ tục": (60, 140) if ward else (15, 90)}.get(row.unit, (0, 6) if row.unit in SMALL else (1, 25))
    return rng.randint(*scale)


def _keep_rules(schema: Any, tables: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Raise right-hand sides until every le/ge/eq/sum_eq rule holds (only raising: it settles)."""
    for _round in range(len(schema.rules) + 1):
        changed = False
        for rule in schema.rules:
            if rule.kind not in ("le", "ge", "eq", "sum_eq"):
                continue
            left, right = (rule.right, rule.left) if rule.kind == "ge" else (rule.left, rule.right)
            rows = tables.get(rule.table, {})
            for column in {c for ref in (*left, *right) for c in rows.get(ref.split(".")[-1], {})}:
                total = sum(rows[r.split(".")[-1]].get(column) or 0 for r in left)
                target = rows[right[0].split(".")[-1]]
                value = target.get(column)
                if value is None:
                    continue
                total = round(total, 2) if isinstance(total, float) else total
                wanted = total if rule.kind in ("eq", "sum_eq") else max(value, total)
                if wanted != value:
                    target[column], changed = wanted, True
        if not changed:
            return


def narrative(schema: Any, unit_name: str, tables: dict[str, Any]) -> dict[str, str]:
    ontime = tables.get("PL3", {}).get("ty_le_dung_han", {}).get("gd2", 95)
    trained = tables.get("PL5", {}).get("dao_tao", {}).get("gd2", 20)
    digital = tables.get("PL7", {}).get("ty_le_vb_dien_tu", {}).get("gd2", 90)
    texts = {}
    for _depth, section in schema.walk():
        template = NARRATIVE.get(section.key)
        if section.narrative and template:
            texts[section.key] = template.format(unit=unit_name, ontime=ontime, trained=trained, digital=digital)
    return texts


def source_assignment(letter: Any, noi_vu: Any) -> Any:
    """Phòng Nội vụ's task "send the report to Sở Nội vụ" of 313/UBND (the last one it was given)."""
    from dieuhanh.tasks.models import Assignment

    return (Assignment.objects.filter(task__document=letter, unit=noi_vu, task__parent__isnull=True)
            .select_related("task").order_by("-original_due_on", "-id").first())


def create(users: dict[str, Any], letter: Any, units: dict[str, Any]) -> Any:
    from dieuhanh.reports import services
    from dieuhanh.reports.models import PeriodKind, ReportRequest
    from dieuhanh.tasks.models import Assignment, Task

    specialist = users[SPECIALIST]
    existing = ReportRequest.objects.filter(title=TITLE, requested_by_unit_id=specialist.unit_id).first()
    if existing is not None:
        return None
    outline = services.ensure_default_outline()
    source = source_assignment(letter, units["phong_noi_vu"])
    targets = [units[code] for code in SCRIPTS if code in units]
    request = services.create_request(
        specialist, title=TITLE, outline_version=outline.current, units=targets, period_kind=PeriodKind.CUSTOM,
        period_start=date(2011, 1, 1), period_end=date(2020, 3, 31), cutoff_on=date(2020, 3, 31), due_on=DUE_ON,
        recipient=RECIPIENT, instructions=INSTRUCTIONS, source_assignment=source)
    _stamp(ReportRequest, request.pk, created_at=_at(REQUESTED_ON, 9))
    _stamp(Task, request.task_id, issued_at=_at(REQUESTED_ON, 9))
    Assignment.objects.filter(task_id=request.task_id).update(created_at=_at(REQUESTED_ON, 9))
    return request


def play(users: dict[str, Any], submission: Any, steps: list[tuple[Any, ...]], rng: random.Random) -> None:
    from dieuhanh.reports import services
    from dieuhanh.reports.models import Submission, SubmissionVersion
    from dieuhanh.tasks.models import Assignment

    schema = submission.request.outline_version.schema()
    doer = users[DOERS[submission.unit.code]]
    tables = figures(schema, submission.unit.code, rng)
    data = {"sections": narrative(schema, submission.unit.name, tables), "tables": tables}
    for kind, day, *args in steps:
        if kind == "draft":
            services.save_draft(doer, submission, data)  # acknowledges the unit's assignment: date it too
            _stamp(Submission, submission.pk, updated_at=_at(day, 16))
            if submission.assignment_id:
                _stamp(Assignment, submission.assignment_id, acknowledged_at=_at(day, 16))
        elif kind == "send":
            problems = services.submit(doer, submission, data)
            if problems:  # the generator broke a rule of the outline: say which, loudly
                raise ValueError(f"{submission.unit.code}: {problems[0].message}")
            first = {"first_submitted_at": _at(day, 15)} if submission.version == 1 else {}
            _stamp(Submission, submission.pk, submitted_at=_at(day, 15), updated_at=_at(day, 15), **first)
            if submission.assignment_id:
                _stamp(Assignment, submission.assignment_id, submitted_at=_at(day, 15),
                       **({"acknowledged_at": _at(day, 8)} if submission.version == 1 else {}))
        elif kind == "return":
            services.return_submission(users[SPECIALIST], submission, args[0])
        elif kind == "accept":
            services.accept_submission(users[SPECIALIST], submission)
            _stamp(Submission, submission.pk, accepted_at=_at(day, 10))
        last = submission.versions.order_by("-id").first()
        if last is not None and kind != "draft":
            _stamp(SubmissionVersion, last.pk, at=_at(day, 15 if kind == "send" else 10))
        submission.refresh_from_db()


def run(users: dict[str, Any], letter: Any, units: dict[str, Any]) -> dict[str, Any]:
    """The whole report story; returns what the summary prints."""
    from dieuhanh.reports import consolidation
    from dieuhanh.reports.models import Consolidation, ReportRequest

    rng = random.Random(20200302)
    with transaction.atomic():
        request = create(users, letter, units)
        if request is None:
            request = ReportRequest.objects.get(title=TITLE, requested_by_unit_id=users[SPECIALIST].unit_id)
            return {"created": False, "request": request}
        for submission in request.submissions.select_related("unit", "request__outline_version").order_by("unit__name"):
            play(users, submission, SCRIPTS.get(submission.unit.code, []), rng)
        built = consolidation.consolidate(users[SPECIALIST], request)
        Consolidation.objects.filter(pk=built.pk).update(built_at=_at(date(2020, 4, 20), 16))
    # No tally rebuild here: the backdating UPDATEs touch no scored field (completed_on comes
    # from accept_submission, after the send date was written), so Assignment.save() kept count.
    return {"created": True, "request": request}


def summary(request: Any) -> list[str]:
    from dieuhanh.reports.timeliness import request_timeliness, totals

    sums = totals(request_timeliness(request))
    return [
        f"Yêu cầu báo cáo #{request.pk}: {request.title} — hạn {request.due_on:%d/%m/%Y}",
        f"  {sums.get('submitted', 0)}/{sums.get('expected', 0)} đơn vị đã gửi; đúng hạn {sums.get('on_time', 0)}, "
        f"trễ hạn {sums.get('late', 0)}, chưa gửi {sums.get('missing', 0)}",
        f"  Báo cáo tổng hợp: /bao-cao/{request.pk}/tong-hop/ (tải DOCX, XLSX; phát hành văn bản đi)",
    ]
