"""Hostile and random text: ``parse_text`` ends in bounded time with bounded output and
lets no exception escape (issue 9 item 2, the parser side).

Seeded, so a failure is reproducible: the case's name and seed are in the assertion.
Bounds are generous for a loaded CI machine; bench/parse_speed.py measures speed.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

import pytest

from dieuhanh.vanban import parse_text
from dieuhanh.vanban.obligations import MAX_OBLIGATIONS
from tests.conftest import SHARED

SECONDS_PER_100K = 3.0  # a quiet core needs well under 0.3 s for 100 KB of text
CORPUS = sorted((SHARED / "corpus" / "dev").glob("*.txt"))
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
PIECES = (
    "Giao Phòng Nội vụ chủ trì ", "hoàn thành trước ngày 20 tháng 3 năm 2020, ", "ngày 27/02 ", "Nơi nhận:\n",
    "- Như trên;\n", "- Lưu: VT.\n", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n", "Nguyễn Văn An\n", "Kính gửi: ", "Số: 12/UBND-VP\n",
    "ỦY BAN NHÂN DÂN\n", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n", "Độc lập - Tự do - Hạnh phúc\n", "V/v ",
    "từ ngày 01/3/2024 đến hết ngày 31/3/2024", "trong thời hạn 05 ngày làm việc kể từ ngày nhận", "| --- | --- |\n",
    "Thời gian thực hiện: ", "chậm nhất ngày 15/4/2024", "TM. ỦY BAN NHÂN DÂN\n", "1.1.1.1.1. ", "**", "\n\n\n",
)


def _random_unicode(rng: random.Random, size: int) -> str:
    ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF), (0x0590, 0x06FF), (0x4E00, 0x4FFF),
              (0x1F300, 0x1F5FF), (0x2000, 0x206F), (0x0, 0x1F)]
    out = []
    for _ in range(size):
        lo, hi = rng.choice(ranges)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def _vietnamese_words(rng: random.Random, size: int) -> str:
    words = ["".join(rng.choice(VIETNAMESE) for _ in range(rng.randint(1, 7))) for _ in range(size // 5)]
    return " ".join(w.capitalize() if rng.random() < 0.2 else w for w in words)


def _pieces(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(count))


def _mutated_document(rng: random.Random) -> str:
    text = rng.choice(CORPUS).read_text(encoding="utf-8")
    for _ in range(rng.randint(1, 40)):
        at = rng.randrange(len(text))
        action = rng.random()
        if action < 0.3:
            text = text[:at] + text[at + rng.randint(1, 300):]
        elif action < 0.6:
            chunk = text[at:at + rng.randint(1, 400)]
            text = text[:at] + chunk * rng.randint(2, 30) + text[at:]
        else:
            text = text[:at] + rng.choice(PIECES) * rng.randint(1, 50) + text[at:]
    return text


ADVERSARIAL: dict[str, Callable[[random.Random], str]] = {
    "issue-9-repeated-deadlines": lambda r: "Giao Phòng Nội vụ chủ trì " + "hoàn thành trước ngày 20 tháng 3 năm 2020, " * 2000,
    "one-long-line": lambda r: _vietnamese_words(r, 200_000),
    "repeated-dates": lambda r: "ngày 20/3/2020 " * 8000,
    "repeated-short-dates": lambda r: "Đề nghị Sở Y tế báo cáo trước ngày 27/02; " * 3000,
    "periods": lambda r: "từ ngày 01/3/2024 đến hết ngày 31/3/2024, " * 3000,
    "deep-numbering": lambda r: "\n".join("1." * d + f" Giao Sở Tài chính thực hiện ngày {d % 28 + 1}/3/2024"
                                          for d in range(1, 400)),
    "nested-numbering-one-line": lambda r: "1." * 50_000 + " Giao",
    "huge-whitespace": lambda r: " " * 150_000 + "\n" * 150_000 + "\t" * 50_000,
    "blank-lines-between-pieces": lambda r: "\n\n".join(_pieces(r, 1) for _ in range(10_000)),
    "many-noi-nhan": lambda r: "Nơi nhận:\n- Như trên;\n" * 5000,
    "many-signatures": lambda r: "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An\n" * 3000,
    "upper-case-wall": lambda r: ("ỦY BAN NHÂN DÂN TỈNH " * 10 + "\n") * 1000,
    "dash-list-wall": lambda r: "Kính gửi:\n" + "- Ủy ban nhân dân các xã, phường;\n" * 8000,
    "table-wall": lambda r: "| Nội dung | Thời gian thực hiện |\n| --- | --- |\n" + "| Báo cáo | 20/3/2024 |\n" * 5000,
    "emphasis-wall": lambda r: "**" * 50_000 + "__" * 20_000,
    "random-unicode": lambda r: _random_unicode(r, 100_000),
    "random-pieces": lambda r: _pieces(r, 8000),
    "empty": lambda r: "",
    "nul-and-controls": lambda r: "\x00\x01\x02\ufeff\u200b\u202e" * 10_000,
}


def _check(name: str, text: str) -> dict:
    started = time.perf_counter()
    try:
        result = parse_text(text)
    except Exception as exc:  # noqa: BLE001 — the point is that nothing escapes
        pytest.fail(f"{name}: {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - started
    bound = SECONDS_PER_100K * max(1.0, len(text) / 100_000)
    assert elapsed < bound, f"{name}: {elapsed:.2f} s for {len(text)} characters (bound {bound:.1f} s)"
    size = len(json.dumps(result, ensure_ascii=False))
    # the body is the text itself; everything else is capped, whatever the input
    assert size < 2 * len(text) + 800_000, f"{name}: {size} characters of output for {len(text)} of input"
    assert len(result["tasks"]) <= MAX_OBLIGATIONS
    return result


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_text_is_bounded(name: str) -> None:
    _check(name, ADVERSARIAL[name](random.Random(name)))


def test_issue_9_text_is_capped_and_says_so() -> None:
    text = ADVERSARIAL["issue-9-repeated-deadlines"](random.Random(0))
    assert len(text.encode()) > 100_000
    result = _check("issue-9", text)
    assert len(result["tasks"]) == MAX_OBLIGATIONS
    assert result["capped"] == ["tasks", "deadlines"]
    assert any(w["code"] == "too_many_tasks" and "nhiệm vụ" in w["message"] for w in result["warnings"])
    assert all(len(t["sentence"]) < 2000 for t in result["tasks"])


def test_real_documents_are_not_capped() -> None:
    for path in CORPUS:
        assert parse_text(path.read_text(encoding="utf-8"))["capped"] == [], path.name


@pytest.mark.parametrize("seed", range(6))
def test_random_and_mutated_text(seed: int) -> None:
    """Each seed: 5 mutated corpus documents, 3 random-piece texts, 2 random Unicode texts."""
    rng = random.Random(20261207 + seed)
    for i in range(5):
        _check(f"seed {seed} mutated {i}", _mutated_document(rng))
    for i in range(3):
        _check(f"seed {seed} pieces {i}", _pieces(rng, rng.randint(1, 3000)))
    for i in range(2):
        _check(f"seed {seed} unicode {i}", _random_unicode(rng, rng.randint(1, 30_000)))
