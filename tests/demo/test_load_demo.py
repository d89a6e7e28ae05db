"""load_demo: an empty database becomes the demo; a second run adds nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dieuhanh.accounts.models import Role, User
from dieuhanh.documents.models import Citation, Direction, Document, Register
from dieuhanh.web.management.commands import load_demo

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    from dieuhanh.accounts.models import AuditLog
    from dieuhanh.orgs.models import Unit

    return (User.objects.count(), Unit.objects.count(), Register.objects.count(), Document.objects.count(),
            Citation.objects.count(), AuditLog.objects.count())


def test_demo_on_an_empty_database():
    assert User.objects.count() == 0 and Document.objects.count() == 0
    output = run()
    users = {u.username: u for u in User.objects.select_related("unit")}
    assert set(users) == set(load_demo.USERNAMES)
    assert users["vanthu.cairang"].role == Role.VAN_THU and users["vanthu.cairang"].unit.code == "ubnd_q_cairang"
    assert users["cv.noivu"].role == Role.CHUYEN_VIEN and users["cv.noivu"].unit.code == "phong_noi_vu"
    assert users["pct.cairang"].role == Role.LANH_DAO_UBND and "Phó Chủ tịch" in users["pct.cairang"].position
    assert users["ct.lebinh"].unit.code == "p_le_binh" and users["vanthu.lebinh"].unit.code == "p_le_binh"
    assert users["quantri"].role == Role.QUAN_TRI
    assert {u.role for u in users.values()} == set(Role.values)  # one account per role at least
    assert all(u.check_password(load_demo.PASSWORD) for u in users.values())
    # The printed logins.
    assert "Tài khoản trình diễn" in output
    for username in load_demo.USERNAMES:
        assert username in output
    assert load_demo.PASSWORD in output


def test_registers_and_documents():
    run()
    district = Register.objects.filter(unit__code="ubnd_q_cairang")
    assert set(district.values_list("direction", flat=True)) == {Direction.INCOMING, Direction.OUTGOING}
    assert Register.objects.filter(unit__code="phong_noi_vu", direction=Direction.INCOMING).exists()
    wards = Register.objects.filter(unit__kind="ubnd_xa", direction=Direction.INCOMING)
    assert wards.filter(unit__code="p_le_binh").exists() and wards.count() >= 7

    plan = Document.objects.get(ns_key="29/KH-UBND")
    assert plan.direction == Direction.INCOMING and plan.owner_unit.code == "ubnd_q_cairang"
    assert plan.issued_on.isoformat() == "2020-02-27" and plan.attachments.count() == 0
    assert plan.subject.startswith("tổng kết công tác cải cách hành chính giai đoạn 2011-2020")

    letter = Document.objects.get(ns_key="313/UBND")
    assert letter.direction == Direction.OUTGOING and letter.owner_unit.code == "ubnd_q_cairang"
    assert letter.issued_on.isoformat() == "2020-03-02" and letter.register.direction == Direction.OUTGOING
    assert letter.attachments.get().original_name == "313-UBND.docx"
    assert letter.created_by.username == "vanthu.cairang"
    assert letter.citations.filter(cited=plan).exists()  # 313/UBND cites 29/KH-UBND
    # drafted by Phòng Nội vụ, approved by its head, signed by the Phó Chủ tịch, numbered by the văn thư
    draft = letter.draft
    assert draft.created_by.username == "cv.noivu" and draft.doc_type == "Công văn"
    assert [e.actor.username for e in draft.events.order_by("id")] == [
        "cv.noivu", "cv.noivu", "tp.noivu", "pct.cairang", "vanthu.cairang"]
    assert (letter.signer_authority, letter.signer_position, letter.signer_name) == (
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Cường")
    assert letter.recipients == ["Thủ trưởng các cơ quan chuyên môn quận", "Chủ tịch Ủy ban nhân dân các phường"]
    plan_44 = Document.objects.get(doc_type="Kế hoạch", direction=Direction.OUTGOING, owner_unit__code="ubnd_q_cairang")
    assert plan_44.number_symbol == "314/KH-UBND" and plan_44.issued_on.isoformat() == "2020-03-10"
    report = Document.objects.get(doc_type="Báo cáo", direction=Direction.OUTGOING, owner_unit__code="ubnd_q_cairang")
    assert report.number_symbol == "315/BC-UBND" and report.draft.consolidation.document == report


def test_a_second_run_adds_nothing():
    run()
    before = counts()
    output = run()
    assert counts() == before
    assert "Tài khoản trình diễn" in output


def test_refuses_a_database_with_real_accounts():
    User.objects.create_user("nguoi.that", password="x" * 12)
    with pytest.raises(CommandError, match="không phải tài khoản trình diễn"):
        run()
    assert Document.objects.count() == 0
    run("--force")
    assert Document.objects.count() == 4  # 29/KH-UBND in; 313/UBND, 314/KH-UBND, 315/BC-UBND issued via drafts


def test_the_demo_reads_its_own_copy_of_the_seed(shared_dir):
    """The demo works without shared/: the seed text is packaged; it matches shared/ when present."""
    packaged = REPO / "dieuhanh" / "web" / "demo_data" / "313-UBND.txt"
    assert load_demo.SEED_FILE == packaged and packaged.is_file()
    seed = shared_dir / "seeds" / "000_3d324eb5ea0723cd.txt"
    if seed.is_file():
        assert seed.read_bytes() == packaged.read_bytes()


def test_found_by_search_after_the_demo():
    from dieuhanh.documents.search import search_documents

    run()
    clerk = User.objects.get(username="vanthu.cairang")
    page = search_documents(clerk, "cai cach hanh chinh")
    assert {h.document.number_symbol for h in page.items} == {"29/KH-UBND", "313/UBND", "314/KH-UBND", "315/BC-UBND"}
    # Lê Bình received 313/UBND (Kính gửi: Chủ tịch UBND các phường) through the exchange; never the city's plan
    ward_clerk = User.objects.get(username="vanthu.lebinh")
    found = {h.document.number_symbol for h in search_documents(ward_clerk, "cai cach hanh chinh").items}
    assert "313/UBND" in found and "29/KH-UBND" not in found
