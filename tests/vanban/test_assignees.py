"""Assignee phrases → units, against the real Cần Thơ / Cái Răng tree in shared/."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from dieuhanh.vanban.assignees import KINDS, Resolution, Unit, UnitDirectory, load_units_yaml
from tests.conftest import SHARED

YAML = SHARED / "domain" / "cchc-data.yaml"
SEED = SHARED / "seeds" / "000_3d324eb5ea0723cd.txt"
UNITS = load_units_yaml(YAML)
DIR = UnitDirectory(UNITS)
DISTRICT = "ubnd_q_cairang"
CITY_2020 = "ubnd_tp_cantho"
CITY_2025 = "cantho_city_2025"
SEED_DAY = date(2020, 3, 2)
LATER = date(2026, 1, 5)

WARDS_2020 = ["p_le_binh", "p_thuong_thanh", "p_ba_lang", "p_hung_thanh", "p_phu_thu",
              "p_tan_phu", "p_hung_phu"]
OFFICES = ["vp_hdnd_ubnd", "phong_noi_vu", "phong_tu_phap", "phong_tc_kh", "phong_tnmt",
           "phong_ldtbxh", "phong_vhtt", "phong_gddt", "phong_yte", "thanh_tra", "phong_kinh_te",
           "phong_qldt"]
DEPTS_2020 = ["snv_ct", "vpub_ct", "stp_ct", "stc_ct", "skhdt_ct", "stttt_ct", "skhcn_ct"]


def codes(phrase: str, issuer: str | None = DISTRICT, on: date | None = SEED_DAY) -> list[str]:
    return [u.code for u in DIR.resolve(phrase, issuer=issuer, on=on).units]


# --- loading ---------------------------------------------------------------------------

def test_yaml_gives_one_unit_per_code_with_known_kinds() -> None:
    assert len({u.code for u in UNITS}) == len(UNITS)
    assert {u.kind for u in UNITS} <= set(KINDS)


def test_territory_and_committee_merge_into_one_unit() -> None:
    district = DIR.get(DISTRICT)
    assert district is not None
    assert (district.name, district.kind, district.parent) == (
        "Ủy ban nhân dân quận Cái Răng", "ubnd_huyen", CITY_2020)
    assert (district.valid_from, district.valid_to) == (date(2004, 1, 1), date(2025, 6, 30))
    assert "Quận Cái Răng" in district.aliases


def test_offices_get_official_names_and_short_forms() -> None:
    pnv = DIR.get("phong_noi_vu")
    assert pnv is not None and pnv.name == "Phòng Nội vụ quận Cái Răng"
    assert {"Phòng Nội vụ", "P. Nội vụ", "PNV"} <= set(pnv.short_names)
    vp = DIR.get("vp_hdnd_ubnd")
    assert vp is not None and vp.kind == "van_phong"
    assert vp.name == "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân quận Cái Răng"


def test_wards_hang_under_the_district_and_know_their_successor() -> None:
    ward = DIR.get("p_phu_thu")
    assert ward is not None
    assert (ward.kind, ward.parent, ward.successors) == ("ubnd_xa", DISTRICT, ("p_hung_phu_2025",))


def test_sub_unit_named_thuoc_gets_that_parent() -> None:
    cchc = DIR.get("snv_ct_cchc")
    assert cchc is not None and cchc.parent == "snv_ct"


def test_children_do_not_outlive_parents() -> None:
    by_code = {u.code: u for u in UNITS}
    for unit in UNITS:
        parent = by_code.get(unit.parent or "")
        if parent and parent.valid_to:
            assert unit.valid_to and unit.valid_to <= parent.valid_to, unit.code


def test_in_force_2020_has_seven_wards_and_2026_none_of_them() -> None:
    in_2020 = DIR.in_force(SEED_DAY)
    assert [u.code for u in in_2020.units if u.kind == "ubnd_xa"] == WARDS_2020
    in_2026 = DIR.in_force(LATER)
    assert [u.code for u in in_2026.units if u.kind == "ubnd_xa"] == [
        "p_cai_rang_2025", "p_hung_phu_2025"]
    assert not [u for u in in_2026.units if u.kind == "ubnd_huyen"]


# --- the seed --------------------------------------------------------------------------

def test_seed_kinh_gui_lines() -> None:
    text = SEED.read_text(encoding="utf-8")
    block = text[text.index("Kính gửi:"):text.index("Thực hiện Kế hoạch")]
    result = DIR.resolve(block, issuer=DISTRICT, on=SEED_DAY)
    assert [u.code for u in result.units] == OFFICES + WARDS_2020
    assert result.collective and result.unresolved == ()
    assert [(p.role_title, len(p.units)) for p in result.parts] == [
        ("Thủ trưởng", 12), ("Chủ tịch", 7)]


def test_seed_point_1_sentence() -> None:
    sentence = ("Giao Thủ trưởng các cơ quan chuyên môn quận, Chủ tịch Ủy ban nhân dân các phường "
                "căn cứ chức năng, nhiệm vụ được giao tổ chức triển khai thực hiện nội dung")
    assert DIR.split(sentence) == ["Thủ trưởng các cơ quan chuyên môn quận",
                                   "Chủ tịch Ủy ban nhân dân các phường"]
    assert codes(sentence) == OFFICES + WARDS_2020


def test_seed_point_2_sentence() -> None:
    sentence = ("Giao Trưởng phòng Nội vụ quận trên cơ sở Kế hoạch của thành phố, tham mưu Ủy ban "
                "nhân dân quận xây dựng Kế hoạch cụ thể")
    result = DIR.resolve(sentence, issuer=DISTRICT, on=SEED_DAY)
    assert [u.code for u in result.units] == ["phong_noi_vu"]
    assert result.role_title == "Trưởng phòng" and not result.collective


def test_seed_body_phrases() -> None:
    assert codes("Sở Nội vụ thành phố") == ["snv_ct"]
    assert codes("Ủy ban nhân dân quận") == [DISTRICT]
    assert codes("Ủy ban nhân dân thành phố") == [CITY_2020]
    assert codes("các cơ quan, đơn vị trên địa bàn quận") == OFFICES
    assert codes("CT, PCT. UBND quận") == [DISTRICT]
    assert codes("Trang TTĐT quận") == ["trang_ttdt_quan"]
    assert DIR.resolve("Như trên", issuer=DISTRICT).unresolved == ("Như trên",)


# --- the brief's examples --------------------------------------------------------------

def test_specialised_offices_in_their_spellings() -> None:
    for phrase in ("Thủ trưởng các cơ quan chuyên môn quận", "các phòng, ban",
                   "các cơ quan chuyên môn thuộc UBND quận"):
        assert codes(phrase) == OFFICES, phrase
    assert codes("các phòng") == [c for c in OFFICES if c != "vp_hdnd_ubnd"]


def test_departments_and_districts_of_the_city() -> None:
    both = "Thủ trưởng các sở, ban, ngành trực thuộc UBND tỉnh; Chủ tịch UBND các huyện, thành phố"
    result = DIR.resolve(both, issuer=DISTRICT, on=SEED_DAY)
    assert [u.code for u in result.units] == DEPTS_2020
    # Cần Thơ had quận, not huyện: the second half designates nothing in this tree.
    assert result.unresolved == ("Chủ tịch UBND các huyện, thành phố",)
    assert codes("UBND các quận, huyện") == [DISTRICT]
    assert codes("UBND các quận, huyện", issuer=CITY_2020) == [DISTRICT]
    assert codes("các đồng chí Giám đốc Sở") == [c for c in DEPTS_2020 if c != "vpub_ct"]


def test_one_office_in_its_spellings() -> None:
    for phrase in ("Trưởng phòng Nội vụ quận", "P. Nội vụ", "Phòng NV", "PNV", "Phòng Nội vụ",
                   "PHÒNG NỘI VỤ QUẬN CÁI RĂNG", "phong noi vu"):
        assert codes(phrase) == ["phong_noi_vu"], phrase
    assert codes("Văn phòng HĐND và UBND quận") == ["vp_hdnd_ubnd"]
    assert codes("Chánh Văn phòng HĐND và UBND quận") == ["vp_hdnd_ubnd"]
    assert codes("Chánh Thanh tra quận") == ["thanh_tra"]
    assert codes("Sở KH&ĐT") == ["skhdt_ct"]
    assert codes("Phòng LĐ-TB&XH") == ["phong_ldtbxh"]


def test_place_qualifier_picks_that_ward_only() -> None:
    result = DIR.resolve("Chủ tịch UBND phường Ba Láng", issuer=DISTRICT, on=SEED_DAY)
    assert [u.code for u in result.units] == ["p_ba_lang"]
    assert result.role_title == "Chủ tịch" and not result.collective
    assert codes("UBND P. Ba Láng") == ["p_ba_lang"]
    assert codes("UBND phường Lê Bình, phường Ba Láng") == ["p_le_binh", "p_ba_lang"]


def test_lead_and_partners() -> None:
    result = DIR.resolve("Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ và UBND các phường",
                         issuer=DISTRICT, on=SEED_DAY)
    assert [u.code for u in result.units] == ["stp_ct"]
    assert {u.code for u in result.partners} == {"snv_ct", *WARDS_2020}


def test_text_variants_match() -> None:
    nfd = unicodedata.normalize("NFD", "Chủ  tịch   Ủy ban nhân dân phường   Ba Láng")
    assert codes(nfd) == ["p_ba_lang"]
    assert codes("chu tich uy ban nhan dan phuong ba lang") == ["p_ba_lang"]
    assert codes("Phòng Văn hoá và Thông tin quận") == ["phong_vhtt"]  # tone on the a
    assert codes("Phòng Văn hóa và Thông tin quận") == ["phong_vhtt"]


def test_issuer_may_be_given_by_name() -> None:
    assert codes("các phường", issuer="ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG") == WARDS_2020


# --- splitting -------------------------------------------------------------------------

def test_split_keeps_lists_and_names_whole() -> None:
    assert DIR.split("Thủ trưởng các sở, ban, ngành; Chủ tịch UBND các quận, huyện") == [
        "Thủ trưởng các sở, ban, ngành", "Chủ tịch UBND các quận, huyện"]
    assert DIR.split("Văn phòng HĐND và UBND quận, Phòng Tài nguyên và Môi trường và Phòng Y tế") == [
        "Văn phòng HĐND và UBND quận", "Phòng Tài nguyên và Môi trường", "Phòng Y tế"]
    assert DIR.split("Sở Văn hóa, Thể thao và Du lịch") == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert DIR.split("Phòng Nội vụ, Phòng Tư pháp và Thanh tra quận") == [
        "Phòng Nội vụ", "Phòng Tư pháp", "Thanh tra quận"]
    # Names outside the tree: "Môi", "Xã hội" and "Tài" fold to "mọi", "xã", "tại".
    for name in ("Sở Tài nguyên và Môi trường", "Bộ Lao động - Thương binh và Xã hội"):
        assert DIR.split(name) == [name]


def test_level_words_listed_without_cac_are_collective() -> None:
    phrase = "Đ/c Chủ tịch Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung ương"
    result = DIR.resolve(phrase, on=SEED_DAY)
    assert [u.code for u in result.units] == [CITY_2020]
    assert result.collective and result.role_title == "Chủ tịch"


# --- eras and misses -------------------------------------------------------------------

def test_2026_has_no_district_and_merged_wards() -> None:
    assert codes("UBND các quận, huyện", issuer=CITY_2025, on=LATER) == []
    assert codes("UBND các phường", issuer=CITY_2025, on=LATER) == [
        "p_cai_rang_2025", "p_hung_phu_2025"]
    assert codes("Chủ tịch UBND các phường", issuer=DISTRICT, on=LATER) == []
    assert codes("Chủ tịch UBND phường Lê Bình", issuer=CITY_2025, on=LATER) == []
    assert codes("Sở Nội vụ", issuer=CITY_2025, on=LATER) == ["so_noi_vu_2025"]
    assert codes("UBND phường Lê Bình", issuer=None, on=SEED_DAY) == ["p_le_binh"]


def test_in_force_directory_needs_no_date() -> None:
    assert [u.code for u in DIR.in_force(SEED_DAY).resolve("Sở Nội vụ").units] == ["snv_ct"]
    assert [u.code for u in DIR.in_force(LATER).resolve("Sở Nội vụ").units] == ["so_noi_vu_2025"]


def test_same_name_in_two_eras_needs_a_date() -> None:
    assert codes("Ủy ban nhân dân thành phố Cần Thơ", issuer=None, on=None) == []
    assert codes("Ủy ban nhân dân thành phố Cần Thơ", issuer=None, on=SEED_DAY) == [CITY_2020]
    assert codes("Ủy ban nhân dân thành phố Cần Thơ", issuer=None, on=LATER) == [CITY_2025]


def test_unknown_phrases_are_reported() -> None:
    for phrase in ("Phòng Nội vụ quận Ninh Kiều", "Cục Hải quan các tỉnh, thành phố",
                   "các cơ quan có liên quan", "Lưu: VT", "HĐND quận", "Chủ tịch",
                   "Thu truerng cac. dun vi,. truang hoc"):
        result = DIR.resolve(phrase, issuer=DISTRICT, on=SEED_DAY)
        assert result.units == () and result.unresolved, phrase


def test_hand_built_tree_without_short_names() -> None:
    tree = UnitDirectory([
        Unit("t", "Ủy ban nhân dân tỉnh Hà Giang", "ubnd_tinh"),
        Unit("h", "Ủy ban nhân dân huyện Mèo Vạc", "ubnd_huyen", parent="t"),
        Unit("h2", "Ủy ban nhân dân huyện Đồng Văn", "ubnd_huyen", parent="t"),
        Unit("pnv", "Phòng Nội vụ huyện Mèo Vạc", "phong", parent="h"),
        Unit("pnv2", "Phòng Nội vụ huyện Đồng Văn", "phong", parent="h2"),
        Unit("x", "Ủy ban nhân dân xã Pả Vi", "ubnd_xa", parent="h"),
        Unit("s", "Sở Nội vụ tỉnh Hà Giang", "so", parent="t"),
    ])
    assert [u.code for u in tree.resolve("Trưởng phòng Nội vụ huyện", issuer="h").units] == ["pnv"]
    assert [u.code for u in tree.resolve("PNV", issuer="h2").units] == ["pnv2"]
    assert [u.code for u in tree.resolve("Phòng Nội vụ các huyện", issuer="t").units] == [
        "pnv", "pnv2"]
    assert [u.code for u in tree.resolve("UBND các xã", issuer="h").units] == ["x"]
    assert [u.code for u in tree.resolve("Sở Nội vụ tỉnh", issuer="h").units] == ["s"]
    assert tree.resolve("Phòng Nội vụ", issuer="t").units == ()  # which district's?


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80), st.sampled_from([None, DISTRICT, CITY_2025, "nope"]),
       st.sampled_from([None, SEED_DAY, LATER]))
def test_resolve_never_raises(text: str, issuer: str | None, on: date | None) -> None:
    result = DIR.resolve(text, issuer=issuer, on=on)
    assert isinstance(result, Resolution)
    assert len({u.code for u in result.units}) == len(result.units)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Phòng", "Nội vụ", "các", "UBND", "quận", ",", "và", ";",
                                 "P.", "phường", "Chủ tịch", "sở", "ban", "ngành", "HĐND"]),
                max_size=12))
def test_resolve_never_raises_on_vocabulary(words: list[str]) -> None:
    DIR.resolve(" ".join(words), issuer=DISTRICT, on=SEED_DAY)


# --- the parser's tasks, resolved ---------------------------------------------------------


def test_seed_tasks_resolve_to_the_units_that_must_act() -> None:
    from dieuhanh.vanban import parse_file

    result = parse_file(SEED)
    assert result["issuer"] == "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG"
    on = date.fromisoformat(result["date"])
    resolved = [
        sorted(code for phrase in task["assignees"] for code in codes(phrase, DISTRICT, on))
        for task in result["tasks"]
    ]
    assert resolved[0] == sorted(OFFICES + WARDS_2020)      # implement Plan 29
    assert resolved[1:4] == [["phong_noi_vu"]] * 3           # plan, summary, report
    assert resolved[4] == sorted(OFFICES + WARDS_2020)      # "Nhận được Công văn này …"
