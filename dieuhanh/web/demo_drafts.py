"""The drafting story of the demo (``load_demo``): outgoing documents go through the office's workflow.

1. **313/UBND (02/03/2020).** Phòng Nội vụ's specialist (``cv.noivu``) drafts the công văn from
   the packaged text (``demo_data/313-UBND.txt``: trích yếu, Kính gửi, body, Nơi nhận as
   read), its head (``tp.noivu``) approves, the district's Phó Chủ tịch (``pct.cairang``)
   signs — his name, position and authority come from his account —, and the district's văn
   thư (``vanthu.cairang``) gives it the next number of the outgoing register and issues it.
   The demo's register holds only what the demo files, so its 2020 counter starts at 312,
   where the real register stood (a fact of the seed, not a special case in the code).
2. **Kế hoạch tổng kết CCHC (10/03/2020)**, the plan 313/UBND asks Phòng Nội vụ to prepare,
   drafted and issued the same way.
3. **The consolidated report** to Sở Nội vụ (``demo_reports``) becomes a Báo cáo draft and goes
   through the same review, signing and issuing (28/04/2020).

The real services run as the acting users; the dates of 2020 are written onto the rows
afterwards, as in the task story (the audit log keeps the real time). Idempotent.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from dieuhanh.web.demo_story import _at

SPECIALIST, HEAD, SIGNER, CLERK, ADMIN = "cv.noivu", "tp.noivu", "pct.cairang", "vanthu.cairang", "quantri"
LETTER_DAY = date(2020, 3, 2)
PLAN_DAY = date(2020, 3, 10)
REPORT_DAY = date(2020, 4, 28)
REGISTER_BEFORE_313 = 312
PLAN_SUBJECT = ("Tổng kết công tác cải cách hành chính giai đoạn 2011-2020 và xây dựng phương hướng, nhiệm vụ "
                "công tác cải cách hành chính giai đoạn 2021-2030 trên địa bàn quận Cái Răng")
PLAN_BODY = """Thực hiện Kế hoạch số 29/KH-UBND ngày 27 tháng 02 năm 2020 của Ủy ban nhân dân thành phố và Công văn số 313/UBND ngày 02 tháng 3 năm 2020 của Ủy ban nhân dân quận, Ủy ban nhân dân quận Cái Răng ban hành Kế hoạch tổng kết công tác cải cách hành chính giai đoạn 2011-2020 như sau:
I. MỤC ĐÍCH, YÊU CẦU
1. Đánh giá toàn diện kết quả thực hiện Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2011-2020 trên địa bàn quận; chỉ rõ tồn tại, hạn chế và nguyên nhân.
2. Việc tổng kết phải nghiêm túc, tiết kiệm, hiệu quả, đảm bảo tiến độ theo kế hoạch của thành phố.
II. NỘI DUNG
1. Các cơ quan chuyên môn quận và Ủy ban nhân dân các phường tổng kết theo đề cương, gửi báo cáo về Phòng Nội vụ trước ngày 09 tháng 4 năm 2020.
2. Phòng Nội vụ tổng hợp, tham mưu Ủy ban nhân dân quận báo cáo Sở Nội vụ thành phố trước ngày 01 tháng 5 năm 2020.
III. TỔ CHỨC THỰC HIỆN
Giao Phòng Nội vụ chủ trì, phối hợp với các cơ quan, đơn vị có liên quan tổ chức triển khai thực hiện Kế hoạch này./."""


def _services() -> Any:
    from dieuhanh.drafts import services

    return services


def ensure_chain(users: dict[str, Any], noi_vu: Any) -> None:
    """Phòng Nội vụ's review chain: its head, then the district's Phó Chủ tịch (who signs)."""
    from dieuhanh.drafts.models import ReviewChain

    if not ReviewChain.objects.filter(unit=noi_vu, steps__isnull=False).exists():
        _services().set_chain(users[ADMIN], noi_vu, [("Trưởng phòng", users[HEAD]),
                                                     ("Lãnh đạo UBND quận", users[SIGNER])])


def _stamp_draft(draft: Any, day: date) -> None:
    """The 2020 dates on the draft, its versions and its timeline (8:00 drafted … 16:00 issued)."""
    from dieuhanh.drafts.models import Draft, DraftEvent, DraftVersion

    Draft.objects.filter(pk=draft.pk).update(created_at=_at(day, 8), signed_at=_at(day, 10, 30))
    DraftVersion.objects.filter(draft=draft).update(created_at=_at(day, 8))
    for i, pk in enumerate(DraftEvent.objects.filter(draft=draft).order_by("id").values_list("pk", flat=True)):
        DraftEvent.objects.filter(pk=pk).update(at=_at(day, 8 + min(i, 8), 15))


def review_and_issue(users: dict[str, Any], draft: Any, day: date) -> Any:
    """Trình → đồng ý → ký → cấp số, phát hành on ``day``; returns the issued document."""
    from dieuhanh.drafts.models import Draft

    s = _services()
    s.submit(users[SPECIALIST], draft)
    s.approve(users[HEAD], draft, "Đồng ý, trình lãnh đạo UBND quận ký.")
    s.sign(users[SIGNER], draft)
    Draft.objects.filter(pk=draft.pk).update(signed_at=_at(day, 10, 30))
    draft.refresh_from_db()
    document = s.issue(users[CLERK], draft, issued_on=day)
    _stamp_draft(draft, day)
    return document


def _counter_from(register: Any, year: int, last: int) -> None:
    from dieuhanh.documents.models import RegisterCounter

    counter, _created = RegisterCounter.objects.get_or_create(register=register, year=year)
    if counter.last_number < last:
        RegisterCounter.objects.filter(pk=counter.pk).update(last_number=last)


def letter_313(users: dict[str, Any], units: dict[str, Any], register: Any, seed: Path) -> Any:
    """313/UBND drafted, reviewed, signed, numbered and issued; the issued Document (existing: itself)."""
    from dieuhanh.documents.intake import preview_intake
    from dieuhanh.documents.models import Document

    existing = Document.objects.filter(register=register, ns_key="313/UBND").first()
    if existing is not None:
        return existing
    ensure_chain(users, units["phong_noi_vu"])
    fields = preview_intake(data=seed.read_bytes(), filename=seed.name)["fields"]
    with transaction.atomic():
        _counter_from(register, LETTER_DAY.year, REGISTER_BEFORE_313)
        draft = _services().create_draft(users[SPECIALIST], "Công văn", {
            "subject": fields["subject"], "body": fields["body"], "recipients": fields["recipients"],
            "distribution": fields["distribution"]}, symbol="UBND")
        return review_and_issue(users, draft, LETTER_DAY)


def district_plan(users: dict[str, Any], units: dict[str, Any]) -> Any:
    from dieuhanh.drafts.models import Draft

    found = Draft.objects.filter(subject=PLAN_SUBJECT, unit=units["phong_noi_vu"]).select_related("document").first()
    if found is not None:
        return found.document
    with transaction.atomic():
        draft = _services().create_draft(users[SPECIALIST], "Kế hoạch", {
            "subject": PLAN_SUBJECT, "body": PLAN_BODY,
            "distribution": ["Sở Nội vụ thành phố", "CT, PCT. UBND quận", "Các cơ quan chuyên môn quận",
                             "UBND các phường", "Lưu: VT, NV"]})
        return review_and_issue(users, draft, PLAN_DAY)


def consolidated_report(users: dict[str, Any], request: Any) -> Any:
    """The consolidated report to Sở Nội vụ through the workflow (draft made by "Phát hành")."""
    from dieuhanh.reports.models import Consolidation

    consolidation = Consolidation.objects.filter(request=request).select_related("document").first()
    if consolidation is None or consolidation.document_id is not None:
        return consolidation.document if consolidation is not None else None
    with transaction.atomic():
        draft = _services().draft_from_consolidation(users[SPECIALIST], consolidation)
        return review_and_issue(users, draft, REPORT_DAY)


def summary(documents: list[Any]) -> list[str]:
    return [f"{d.doc_type} {d.number_symbol} ngày {d.issued_on:%d/%m/%Y}: {d.subject[:90]} — ký: {d.signer_name}"
            for d in documents if d is not None]
