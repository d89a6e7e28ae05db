"""Factories for the web app's tests: a small real-shaped unit tree and users in it."""

from __future__ import annotations

from datetime import date

import factory

from dieuhanh.accounts.models import Role, User
from dieuhanh.orgs.models import Unit, UnitKind

PASSWORD = "mat-khau-thu-nghiem-2020"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit_{n}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = UnitKind.PHONG
    valid_from = date(2004, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Nguyễn"
    last_name = factory.Sequence(lambda n: f"Văn {n}")
    role = Role.CHUYEN_VIEN
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def build_tree() -> dict[str, Unit]:
    """Cần Thơ → quận Cái Răng (Phòng Nội vụ, Văn phòng, wards) and quận Ninh Kiều (outsiders)."""
    city = UnitFactory(code="ubnd_tp_cantho", name="Ủy ban nhân dân thành phố Cần Thơ", kind=UnitKind.UBND_TINH,
                       place="Cần Thơ", short_names=["UBND thành phố"])
    so_noi_vu = UnitFactory(code="snv_ct", name="Sở Nội vụ thành phố Cần Thơ", kind=UnitKind.SO, parent=city,
                            short_names=["Sở Nội vụ"], place="Cần Thơ")
    district = UnitFactory(code="ubnd_q_cairang", name="Ủy ban nhân dân quận Cái Răng", kind=UnitKind.UBND_HUYEN,
                           parent=city, place="Cái Răng", short_names=["UBND quận Cái Răng"], symbol="UBND",
                           valid_to=date(2025, 6, 30))
    noi_vu = UnitFactory(code="phong_noi_vu", name="Phòng Nội vụ quận Cái Răng", kind=UnitKind.PHONG,
                         parent=district, short_names=["Phòng Nội vụ"], symbol="NV", valid_to=date(2025, 6, 30))
    van_phong = UnitFactory(code="vp_hdnd_ubnd", name="Văn phòng HĐND và UBND quận Cái Răng",
                            kind=UnitKind.VAN_PHONG, parent=district, valid_to=date(2025, 6, 30))
    le_binh = UnitFactory(code="p_le_binh", name="Ủy ban nhân dân phường Lê Bình", kind=UnitKind.UBND_XA,
                          parent=district, place="Lê Bình", valid_to=date(2025, 6, 30))
    ba_lang = UnitFactory(code="p_ba_lang", name="Ủy ban nhân dân phường Ba Láng", kind=UnitKind.UBND_XA,
                          parent=district, place="Ba Láng", valid_to=date(2025, 6, 30))
    ninh_kieu = UnitFactory(code="ubnd_q_ninhkieu", name="Ủy ban nhân dân quận Ninh Kiều", kind=UnitKind.UBND_HUYEN,
                            parent=city, place="Ninh Kiều", valid_to=date(2025, 6, 30))
    tan_an = UnitFactory(code="p_tan_an", name="Ủy ban nhân dân phường Tân An", kind=UnitKind.UBND_XA,
                         parent=ninh_kieu, place="Tân An", valid_to=date(2025, 6, 30))
    return {
        "city": city, "so_noi_vu": so_noi_vu, "district": district, "noi_vu": noi_vu, "van_phong": van_phong,
        "le_binh": le_binh, "ba_lang": ba_lang, "ninh_kieu": ninh_kieu, "tan_an": tan_an,
    }


def build_actors(units: dict[str, Unit]) -> dict[str, User]:
    """The named actors every view test uses."""
    make = UserFactory
    return {
        "district_clerk": make(username="vanthu.cairang", unit=units["district"], role=Role.VAN_THU),
        "district_specialist": make(username="cv.noivu", unit=units["noi_vu"], role=Role.CHUYEN_VIEN),
        "noi_vu_head": make(username="tp.noivu", unit=units["noi_vu"], role=Role.LANH_DAO_DON_VI),
        "district_leader": make(username="pct.cairang", unit=units["district"], role=Role.LANH_DAO_UBND),
        "ward_chairman": make(username="ct.lebinh", unit=units["le_binh"], role=Role.LANH_DAO_UBND),
        "ward_clerk": make(username="vanthu.lebinh", unit=units["le_binh"], role=Role.VAN_THU),
        "other_ward_clerk": make(username="vanthu.balang", unit=units["ba_lang"], role=Role.VAN_THU),
        "outsider": make(username="vanthu.tanan", unit=units["tan_an"], role=Role.VAN_THU),
        "admin": make(username="quantri", unit=units["city"], role=Role.QUAN_TRI),
    }
