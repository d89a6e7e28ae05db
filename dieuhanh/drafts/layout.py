"""A draft laid out per Decree 30: the template of each type, the signer's block from the account,
the DOCX (built by :mod:`dieuhanh.reports.decree30_docx`), and the same document as plain text
for the ``vanban`` format checks.

Templates (Phụ lục III): Công văn is Mẫu 1.5 (no tên loại; "V/v" trích yếu under the number;
Kính gửi); Giấy mời Mẫu 1.7; Quyết định Mẫu 1.2 (căn cứ, then Điều); Kế hoạch, Báo cáo,
Thông báo, Tờ trình Mẫu 1.4 (tên loại and trích yếu centred). The symbol is
"<type code>-<issuer>" for a typed document and "<issuer>-<drafting unit>" for a công văn.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dieuhanh.lib.vntext import fold
from dieuhanh.reports.consolidation import Issuer, issuer_for
from dieuhanh.reports.decree30_docx import (Header, Heading, Paragraph, Signature, build_docx, date_line,
                                            number_line)
from dieuhanh.vanban.doctypes import TYPE_TO_CODE

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"

# Starting text of each type: what the drafter replaces (Phụ lục III, the templates' structure).
STARTERS: dict[str, str] = {
    "Công văn": "Thực hiện …, Ủy ban nhân dân … có ý kiến như sau:\n1. Giao …\n2. …\n"
                "Nhận được Công văn này, … tổ chức triển khai thực hiện./.",
    "Kế hoạch": "Căn cứ …;\nI. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n…\n2. Yêu cầu\n…\nII. NỘI DUNG\n…\n"
                "III. TỔ CHỨC THỰC HIỆN\n…",
    "Báo cáo": "I. KẾT QUẢ THỰC HIỆN\n…\nII. TỒN TẠI, HẠN CHẾ\n…\nIII. PHƯƠNG HƯỚNG, NHIỆM VỤ\n…\nIV. KIẾN NGHỊ\n…",
    "Quyết định": "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\nCăn cứ …;\n"
                  "Theo đề nghị của …\nQUYẾT ĐỊNH:\nĐiều 1. …\nĐiều 2. …\n"
                  "Điều 3. Chánh Văn phòng …, Thủ trưởng các cơ quan, đơn vị có liên quan chịu trách nhiệm "
                  "thi hành Quyết định này./.",
    "Thông báo": "…",
    "Tờ trình": "I. SỰ CẦN THIẾT\n…\nII. NỘI DUNG ĐỀ NGHỊ\n…\n… kính trình … xem xét, quyết định./.",
    "Giấy mời": "… trân trọng kính mời: …\nDự: …\nThời gian: … giờ …, ngày … tháng … năm …\n"
                "Địa điểm: …\nRất mong … tham dự đúng giờ./.",
}
# Types that open with "Kính gửi" (công văn; báo cáo and tờ trình sent upward).
GREETED = {"Công văn", "Báo cáo", "Tờ trình"}
_HEADING_1 = re.compile(r"^(Phần|Chương)\s+[IVXLC\d]+\b")
_HEADING_3 = re.compile(r"^[IVXLC]+\.\s+\S")


def agency_symbol(issuer: Issuer) -> str:
    return issuer.agency_symbol or "UBND"


def default_symbol(doc_type: str, issuer: Issuer, drafting_unit: Any) -> str:
    """ "KH-UBND"; a công văn: "UBND-NV" (issuer, then the drafting unit's symbol when it has one)."""
    code = TYPE_TO_CODE.get(doc_type)
    if code:
        return f"{code}-{agency_symbol(issuer)}"
    unit_symbol = (getattr(drafting_unit, "symbol", "") or "").strip()
    if drafting_unit is not None and drafting_unit.pk != issuer.unit.pk and unit_symbol:
        return f"{agency_symbol(issuer)}-{unit_symbol}"
    return agency_symbol(issuer)


# --- the signer's block, from the account -------------------------------------------------------

# (folded title at the start of User.position, authority for a committee, for an office, printed position)
_TITLES = (
    ("pho chu tich", "KT. CHỦ TỊCH", None, "PHÓ CHỦ TỊCH"),
    ("chu tich", "TM. ỦY BAN NHÂN DÂN", None, "CHỦ TỊCH"),
    ("chanh van phong", "TL. CHỦ TỊCH", "", "CHÁNH VĂN PHÒNG"),
    ("pho truong phong", None, "KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"),
    ("truong phong", None, "", "TRƯỞNG PHÒNG"),
    ("pho giam doc", None, "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    ("giam doc", None, "", "GIÁM ĐỐC"),
)


@dataclass(frozen=True)
class SignerBlock:
    authority: str
    position: str
    name: str

    def as_tuple(self) -> tuple[str, str, str]:
        return self.authority, self.position, self.name


def signer_block(user: Any, issuer: Issuer) -> SignerBlock:
    """Authority, position and name as printed (ô 7), read from the signer's account (``position``,
    full name) and the issuing body; ValidationError when the account names no signing title."""
    from dieuhanh.orgs.models import COMMITTEE_KINDS

    name = " ".join((user.get_full_name() or "").split())
    title = fold(" ".join((user.position or "").split())).lower()
    committee = issuer.unit.kind in COMMITTEE_KINDS
    if name:
        for folded, for_committee, for_office, printed in _TITLES:
            if title.startswith(folded):
                authority = for_committee if committee else for_office
                if authority is not None:
                    return SignerBlock(authority, printed, name)
    raise ValidationError(_("Tài khoản của %(user)s chưa ghi họ tên hoặc chức vụ có thẩm quyền ký văn bản của "
                            "%(issuer)s (ví dụ “Phó Chủ tịch UBND quận”); nhờ quản trị cập nhật tài khoản trước "
                            "khi ký.") % {"user": user.get_username(), "issuer": issuer.name})


# --- content ----------------------------------------------------------------------------------------


def body_blocks(body: str) -> list[Any]:
    """Lines of the body: "Phần I …"/"Chương …" → heading level 1, "I. …" → level 3, else paragraphs."""
    blocks: list[Any] = []
    for raw in (body or "").splitlines():
        line = " ".join(raw.replace("*", "").split())
        if not line:
            continue
        if _HEADING_1.match(line):
            blocks.append(Heading(line, 1))
        elif _HEADING_3.match(line):
            blocks.append(Heading(line, 3))
        else:
            blocks.append(Paragraph(line))
    return blocks


def _header(draft: Any, issuer: Issuer, number: str | None, date: datetime.date | None) -> Header:
    cong_van = draft.doc_type == "Công văn"
    return Header(issuer=issuer.lines, issuer_parent=issuer.parent, number=number, symbol=draft.symbol,
                  place=issuer.place, date=date, year=(date or datetime.date.today()).year,
                  type_name="" if cong_van else draft.doc_type.upper(),
                  subject="" if cong_van else draft.subject, vv=draft.subject if cong_van else "")


def _greeting(draft: Any) -> str:
    entries = [e for e in draft.recipients or [] if str(e).strip()]
    if draft.doc_type not in GREETED or not entries:
        return ""
    return "Kính gửi: " + "\n".join(entries)


def _signature(draft: Any) -> Signature:
    return Signature(draft.signer_authority, draft.signer_position or "", draft.signer_name)


def draft_issuer(draft: Any) -> Issuer:
    return issuer_for(draft.issuer_unit)


def render_docx(draft: Any, *, number: str | None = None, date: datetime.date | None = None) -> bytes:
    """The draft as a Decree 30 DOCX. A draft made from a consolidated report keeps the report's
    own layout (figures, tables) with this draft's trích yếu and signer."""
    if draft.consolidation_id is not None:
        from dieuhanh.reports.consolidation import signed_docx

        return signed_docx(draft.consolidation, subject=draft.subject, signature=_signature(draft),
                           distribution=draft.distribution, number=number, date=date)
    issuer = draft_issuer(draft)
    return build_docx(_header(draft, issuer, number, date), body_blocks(draft.body), list(draft.distribution or []),
                      _signature(draft), greeting=_greeting(draft))


def compose_text(draft: Any, *, number: str | None = None, date: datetime.date | None = None,
                 signature: Signature | None = None) -> str:
    """The draft as the plain text of a Decree 30 document (what ``vanban.parse_text`` reads)."""
    issuer = draft_issuer(draft)
    signature = signature or _signature(draft)
    lines = [*(line for line in issuer.parent.splitlines() if line), *issuer.lines.splitlines(), "",
             QUOC_HIEU, TIEU_NGU, "", number_line(number, draft.symbol), "",
             date_line(issuer.place, date or datetime.date.today()), ""]
    if draft.doc_type == "Công văn":
        lines += [f"V/v {' '.join(draft.subject.split())}", ""]
    else:
        lines += [draft.doc_type.upper(), " ".join(draft.subject.split()), ""]
    greeting = _greeting(draft)
    if greeting:
        entries = greeting.removeprefix("Kính gửi: ").splitlines()
        if len(entries) == 1:
            lines += [f"Kính gửi: {entries[0].rstrip(' .;')}.", ""]
        else:
            lines += ["Kính gửi:", *(f"- {e.lstrip('- ').rstrip(' .;')}{'.' if i == len(entries) - 1 else ';'}"
                                     for i, e in enumerate(entries)), ""]
    lines += [line for line in (draft.body or "").splitlines()] + [""]
    distribution = [d for d in draft.distribution or [] if str(d).strip()]
    if distribution:
        lines += ["Nơi nhận:", *(f"- {d.lstrip('- ').rstrip(' .;')}{'.' if i == len(distribution) - 1 else ';'}"
                                 for i, d in enumerate(distribution)), ""]
    lines += [*(signature.authority or "").splitlines(), signature.position or "", "", signature.name or ""]
    return "\n".join(lines)
