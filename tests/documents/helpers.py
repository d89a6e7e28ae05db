"""Shared data and helpers of the documents tests (not fixtures: those are in conftest)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, SHARED  # noqa: F401  (REPO is imported from here by the tests)
SEED = SHARED / "seeds" / "000_3d324eb5ea0723cd.txt"
CORPUS = sorted((SHARED / "corpus" / "dev").glob("*.txt"))


def files_under(root: Path) -> list[Path]:
    """Every file below ``root`` (none when it does not exist)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# The Kế hoạch the seed cites, written for these tests in the Decree 30 layout.
PLAN_29 = """ỦY BAN NHÂN DÂN
THÀNH PHỐ CẦN THƠ

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 29/KH-UBND

Cần Thơ, ngày 27 tháng 02 năm 2020

KẾ HOẠCH
Tổng kết công tác cải cách hành chính giai đoạn 2011-2020

Ủy ban nhân dân thành phố ban hành Kế hoạch tổng kết công tác cải cách hành chính giai đoạn 2011-2020 như sau.

Giao Sở Nội vụ chủ trì, phối hợp các cơ quan tổ chức tổng kết trước ngày 30 tháng 4 năm 2020./.

Nơi nhận:
- Các sở, ban, ngành;
- UBND quận, huyện;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Trần Văn A
"""
