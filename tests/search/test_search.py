"""search_documents: diacritic-insensitive matching, filters, scope, highlighting, the index."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from dieuhanh.documents.search import highlight, query_words, search_documents, snippet
from tests.search.conftest import make_document

pytestmark = pytest.mark.django_db


def found(user, query, **filters):  # type: ignore[no-untyped-def]
    page = search_documents(user, query, **filters)
    return {hit.document.number_symbol for hit in page.items}


def test_query_is_folded_into_words():
    assert query_words("  Cải cách HÀNH chính, 29/KH-UBND ") == ["cai", "cach", "hanh", "chinh", "29", "kh", "ubnd"]
    assert query_words("Đô thị đô thị") == ["do", "thi"]
    assert query_words("") == [] and query_words(None) == []


@pytest.mark.parametrize("query", ["cai cach hanh chinh", "cải cách hành chính", "CẢI CÁCH hanh chinh",
                                   "cải cách hành chính"])  # the last one typed in NFD
def test_diacritics_optional_in_the_query(actors, docs, query):
    assert found(actors["district_leader"], query) == {"29/KH-UBND", "12/KH-UBND", "14/KH-UBND"}


def test_text_typed_without_diacritics_is_found_with_them(actors, registers):
    make_document(registers["district_in"], number_symbol="7/TB-UBND", subject="thong bao ket luan cuoc hop")
    assert found(actors["district_clerk"], "thông báo kết luận") == {"7/TB-UBND"}


@pytest.mark.parametrize("query", ["do thi", "đô thị", "ĐÔ THỊ", "dieu dong", "Điều động"])
def test_d_and_dd_are_one_letter(actors, docs, query):
    expected = {"5/QĐ-UBND"} if "dong" in query.lower() or "động" in query.lower() else {"5/QĐ-UBND", "14/KH-UBND"}
    assert found(actors["admin"], query) == expected


@pytest.mark.parametrize("query, expected", [
    ("29/KH-UBND", {"29/KH-UBND", "313/UBND"}),  # 313/UBND names the plan in its subject
    ("313", {"313/UBND"}),
    ("5/QD-UBND", {"5/QĐ-UBND"}),
    ("thanh pho Can Tho", {"29/KH-UBND"}),      # issuer
    ("truong phong noi vu", {"313/UBND"}),      # full text
    ("cai ra", {"313/UBND", "12/KH-UBND", "14/KH-UBND", "5/QĐ-UBND"}),  # unfinished last word
])
def test_number_symbol_issuer_subject_and_body(actors, docs, query, expected):
    assert found(actors["admin"], query) == expected


def test_words_must_start_a_word(actors, docs):
    assert found(actors["admin"], "ach hanh") == set()  # "ach" is inside "cách", not a word start


def test_filters(actors, docs):
    admin = actors["admin"]
    assert found(admin, "", doc_type="ke hoach") == {"29/KH-UBND", "12/KH-UBND", "14/KH-UBND"}
    assert found(admin, "", doc_type="Quyết định") == {"5/QĐ-UBND"}
    assert found(admin, "cai cach", issuer="thanh pho can tho") == {"29/KH-UBND"}
    assert found(admin, "", issuer="Ủy ban nhân dân quận Cái Răng", doc_type="Kế hoạch") == {
        "12/KH-UBND", "14/KH-UBND"}
    assert found(admin, "", date_from=date(2020, 3, 1), date_to=date(2020, 4, 10)) == {"313/UBND", "12/KH-UBND"}
    assert found(admin, "", date_from=date(2021, 1, 1)) == {"5/QĐ-UBND"}
    assert found(admin, "", register_id=docs["letter"].register_id) == {"313/UBND", "5/QĐ-UBND"}
    assert found(admin, "tong ket", register_id=docs["letter"].register_id) == {"313/UBND"}
    assert found(admin, "", direction="den") == {"29/KH-UBND", "12/KH-UBND", "14/KH-UBND"}


def test_a_ward_clerk_never_sees_another_ward_even_in_counts(actors, docs):
    page = search_documents(actors["ward_clerk"], "cai cach hanh chinh")
    assert page.total == 1 and [h.document.number_symbol for h in page.items] == ["12/KH-UBND"]
    other = search_documents(actors["other_ward_clerk"], "cai cach hanh chinh")
    assert other.total == 1 and other.items[0].document.number_symbol == "14/KH-UBND"
    # Filtering on the other ward's register finds nothing rather than leaking.
    assert search_documents(actors["ward_clerk"], "", register_id=docs["ba_lang"].register_id).total == 0
    assert search_documents(actors["outsider"], "cai cach").total == 0


def test_leaders_see_their_subtree(actors, docs):
    assert found(actors["district_leader"], "kiem tra") == {"12/KH-UBND", "14/KH-UBND", "5/QĐ-UBND"}
    assert found(actors["ward_chairman"], "kiem tra") == {"12/KH-UBND"}


def test_shared_documents_are_found_by_the_unit_they_are_shared_with(actors, docs, units):
    docs["plan"].shared_with.add(units["le_binh"])
    assert found(actors["ward_clerk"], "tong ket") == {"29/KH-UBND"}
    assert search_documents(actors["other_ward_clerk"], "tong ket").total == 0


def test_pagination(actors, registers):
    for n in range(1, 26):
        make_document(registers["district_in"], number_symbol=f"{n}/GM-UBND", subject=f"mời họp lần {n}",
                      issued_on=date(2020, 1, n), reg_number=n)
    first = search_documents(actors["district_clerk"], "moi hop", per_page=10)
    assert (first.total, first.page, first.pages, len(first.items)) == (25, 1, 3, 10)
    assert first.items[0].document.number_symbol == "25/GM-UBND"  # newest first
    last = search_documents(actors["district_clerk"], "moi hop", per_page=10, page=99)
    assert (last.page, len(last.items)) == (3, 5)
    assert not last.has_next and last.has_previous


def test_highlight_marks_word_starts_and_escapes():
    words = query_words("cai rang")
    assert highlight("UBND quận Cái Răng", words) == "UBND quận <mark>Cái</mark> <mark>Răng</mark>"
    assert highlight("<b>Cái</b>", words) == "&lt;b&gt;<mark>Cái</mark>&lt;/b&gt;"
    assert highlight("Đô thị", query_words("do")) == "<mark>Đô</mark> thị"
    assert highlight("Cái Răng", []) == "Cái Răng"


def test_snippet_is_a_window_around_the_first_match():
    text = ("mở đầu " * 40) + "tham mưu Ủy ban nhân dân quận xây dựng Kế hoạch" + (" kết thúc" * 60)
    cut = snippet(text, query_words("tham muu"))
    assert cut.startswith("… ") and cut.endswith(" …") and "<mark>tham</mark> <mark>mưu</mark>" in cut
    assert len(cut) < 400
    assert snippet(text, query_words("khong co")) == ""


def test_the_index_follows_saves_and_deletes(actors, docs):
    plan = docs["plan"]
    plan.subject = "chuyển đổi số"
    plan.save()
    assert found(actors["admin"], "chuyen doi so") == {"29/KH-UBND"}
    assert "29/KH-UBND" not in found(actors["admin"], "tong ket")
    plan.subject = "phòng chống thiên tai"
    plan.save(update_fields=["subject"])
    assert found(actors["admin"], "thien tai") == {"29/KH-UBND"}
    docs["ba_lang"].delete()
    assert found(actors["admin"], "ba lang") == set()


def test_reindex_command_rebuilds_after_bulk_writes(actors, docs):
    from dieuhanh.documents.models import Document

    Document.objects.filter(pk=docs["plan"].pk).update(subject="an toàn giao thông", search_text="")
    call_command("search_reindex", stdout=open("/dev/null", "w"))
    assert found(actors["admin"], "an toan giao thong") == {"29/KH-UBND"}


def test_query_counts_do_not_grow_with_results(actors, registers, django_assert_max_num_queries):
    for n in range(1, 31):
        make_document(registers["district_in"], number_symbol=f"{n}/GM-UBND", subject=f"mời họp {n}",
                      reg_number=n)
    with django_assert_max_num_queries(3):
        page = search_documents(actors["district_clerk"], "moi hop", per_page=30)
        [str(h.document.register.unit) for h in page.items]
    assert page.total == 30


def test_the_words_as_a_phrase_rank_first(actors, registers):
    scattered = make_document(registers["district_in"], number_symbol="1/BC-UBND", issued_on=date(2021, 5, 1),
                              subject="cải cách hành chính; biết rằng còn khó khăn")
    phrase = make_document(registers["district_in"], number_symbol="2/BC-UBND", issued_on=date(2019, 5, 1),
                           subject="tình hình quận Cái Răng")
    page = search_documents(actors["district_clerk"], "cai rang")
    assert [h.document.pk for h in page.items] == [phrase.pk, scattered.pk]
    assert page.total == 2


def test_snippet_prefers_the_phrase_over_the_first_scattered_word():
    text = "Về công tác cải cách hành chính. " + ("nội dung " * 30) + "Ủy ban nhân dân quận Cái Răng giao nhiệm vụ."
    cut = snippet(text, query_words("cai rang"))
    assert "<mark>Cái</mark> <mark>Răng</mark>" in cut and "<mark>cải</mark>" not in cut
