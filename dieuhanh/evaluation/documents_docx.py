"""The campaign's outputs as DOCX per Decree 30 (``dieuhanh.reports.decree30_docx``): the Tờ
trình of Phòng Nội vụ with the danh sách đề nghị khen thưởng, the Quyết định khen thưởng of
the Chủ tịch UBND quận, and the Giấy khen certificates (one landscape page each)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt

from dieuhanh.evaluation.commendation import legal_basis
from dieuhanh.evaluation.models import Campaign, NomineeKind
from dieuhanh.reports.decree30_docx import Header, Heading, Paragraph, Signature, TableBlock, build_docx
from dieuhanh.reports.docx_parts import FONT


def _sentence(title: str) -> str:
    """A title inside a sentence: its first letter in lower case, abbreviations (CCHC) kept."""
    return title[:1].lower() + title[1:] if title[1:2].islower() else title


def _nominees(campaign: Campaign) -> list[Any]:
    rows = list(campaign.nominees.select_related("unit").order_by("kind", "id"))
    approved = [n for n in rows if n.approved]
    return approved if campaign.voted_at else rows


def _committee(campaign: Campaign) -> Any:
    unit = campaign.round.organiser_unit
    return unit.parent if unit.parent_id else unit


def _list_table(nominees: list[Any]) -> TableBlock:
    rows = []
    for n, nominee in enumerate(nominees, 1):
        who = nominee.name if nominee.kind == NomineeKind.COLLECTIVE else \
            f"{nominee.name}, {nominee.position or ''} {'' if nominee.position else nominee.unit.name}".strip(", ")
        rows.append([n, who, nominee.get_kind_display(), " ".join(nominee.reasons)])
    return TableBlock("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", ["STT", "Tên tập thể, cá nhân", "Loại", "Thành tích"], rows,
                      widths_cm=[1.2, 5.5, 2.0, 7.3])


def _counts(nominees: list[Any]) -> str:
    collectives = sum(1 for n in nominees if n.kind == NomineeKind.COLLECTIVE)
    return f"{collectives:02d} tập thể và {len(nominees) - collectives:02d} cá nhân"


def to_trinh(campaign: Campaign) -> bytes:
    committee, office = _committee(campaign), campaign.round.organiser_unit
    nominees = _nominees(campaign)
    blocks: list[Any] = [Paragraph(line) for line in legal_basis(campaign.decided_on)]
    blocks.append(Paragraph(
        f"Trên cơ sở kết quả đánh giá, xếp hạng {_sentence(campaign.round.title)} và kết quả xét của Hội đồng Thi đua - "
        f"Khen thưởng quận" + (f" ({campaign.votes_for}/{campaign.votes_total} thành viên dự họp tán thành)"
                              if campaign.voted_at else "")
        + f", {office.name} kính trình Chủ tịch Ủy ban nhân dân quận xem xét, tặng Giấy khen cho "
        f"{_counts(nominees)} đã có thành tích trong {_sentence(campaign.title)} (danh sách kèm theo)."))
    blocks.append(_list_table(nominees))
    blocks.append(Paragraph(f"{office.name} kính trình Chủ tịch Ủy ban nhân dân quận xem xét, quyết định./."))
    header = Header(issuer=office.name.upper(), issuer_parent=committee.name.upper(), symbol="TTr-NV",
                    place=committee.place, date=None, year=campaign.decided_on.year, type_name="TỜ TRÌNH",
                    subject=f"Về việc đề nghị tặng Giấy khen {campaign.title}")
    return build_docx(header, blocks, ["Như trên", "Lưu: VT, NV"], Signature(position="TRƯỞNG PHÒNG"),
                      greeting=f"Kính gửi: Chủ tịch {committee.name}.")


def quyet_dinh(campaign: Campaign) -> bytes:
    committee, office = _committee(campaign), campaign.round.organiser_unit
    nominees = _nominees(campaign)
    blocks: list[Any] = [Heading(f"CHỦ TỊCH {committee.name.upper()}", level=2)]
    blocks += [Paragraph(line) for line in legal_basis(campaign.decided_on)]
    blocks.append(Paragraph(f"Xét đề nghị của Trưởng {office.name} tại Tờ trình số      /TTr-NV.;"))
    blocks.append(Heading("QUYẾT ĐỊNH:", level=2))
    blocks.append(Paragraph(f"Điều 1. Tặng Giấy khen của Chủ tịch Ủy ban nhân dân quận cho {_counts(nominees)} "
                            f"đã có thành tích trong {_sentence(campaign.title)} (danh sách kèm theo)."))
    blocks.append(Paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký."))
    blocks.append(Paragraph(f"Điều 3. Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân quận, Trưởng {office.name}, "
                            "thủ trưởng các cơ quan, đơn vị có liên quan và các tập thể, cá nhân có tên tại Điều 1 "
                            "chịu trách nhiệm thi hành Quyết định này./."))
    blocks.append(_list_table(nominees))
    header = Header(issuer=committee.name.upper(), symbol="QĐ-UBND", place=committee.place, date=None,
                    year=campaign.decided_on.year, type_name="QUYẾT ĐỊNH",
                    subject=f"Về việc tặng Giấy khen {campaign.title}")
    return build_docx(header, blocks, ["Như Điều 3", f"Lưu: VT, {office.symbol or 'NV'}"],
                      Signature(position="CHỦ TỊCH"))


def _line(document: Any, text: str, size: float, *, bold: bool = False, italic: bool = False,
          after: float = 6) -> Any:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(after)
    run = paragraph.add_run(text)
    run.font.name, run.font.size, run.bold, run.italic = FONT, Pt(size), bold, italic
    return paragraph


def giay_khen(campaign: Campaign) -> bytes:
    """One A4 landscape page per nominee approved (all nominees before the vote)."""
    committee = _committee(campaign)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for margin in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, margin, Cm(2.0))
    nominees = _nominees(campaign)
    for n, nominee in enumerate(nominees):
        _line(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, bold=True, after=0)
        _line(document, "Độc lập - Tự do - Hạnh phúc", 14, bold=True, after=24)
        _line(document, f"CHỦ TỊCH {committee.name.upper()}", 16, bold=True, after=12)
        _line(document, "TẶNG", 16, bold=True, after=6)
        _line(document, "GIẤY KHEN", 36, bold=True, after=18)
        _line(document, nominee.name, 22, bold=True, after=6)
        if nominee.kind == NomineeKind.INDIVIDUAL:
            _line(document, nominee.position or nominee.unit.name, 14, italic=True)
        _line(document, f"Đã có thành tích trong {_sentence(campaign.title)}.", 15, after=24)
        _line(document, f"{committee.place}, ngày      tháng      năm {campaign.decided_on.year}", 13, italic=True, after=0)
        _line(document, "Quyết định số      /QĐ-UBND; Số sổ vàng:      ", 12, after=0)
        if n + 1 < len(nominees):
            document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


OUTPUTS = {"to-trinh": (to_trinh, "to-trinh-khen-thuong"), "quyet-dinh": (quyet_dinh, "quyet-dinh-khen-thuong"),
           "giay-khen": (giay_khen, "giay-khen")}
