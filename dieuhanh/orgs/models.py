"""The effective-dated tree of units (People's Committees, departments, offices, wards).

A unit is never edited into another one: a reorganisation ends units
(``valid_to``) and starts new ones, linked by :class:`Succession`, so a 2020
document keeps showing its 2020 units.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    UBND_TINH = "ubnd_tinh", _("UBND cấp tỉnh")
    UBND_HUYEN = "ubnd_huyen", _("UBND cấp huyện")
    UBND_XA = "ubnd_xa", _("UBND cấp xã")
    HDND = "hdnd", _("Hội đồng nhân dân")
    SO = "so", _("Sở, ban, ngành")
    PHONG = "phong", _("Phòng chuyên môn")
    VAN_PHONG = "van_phong", _("Văn phòng")
    DON_VI_SU_NGHIEP = "don_vi_su_nghiep", _("Đơn vị sự nghiệp")
    BO_PHAN = "bo_phan", _("Bộ phận, tổ chức phối hợp")
    BEN_NGOAI = "ben_ngoai", _("Cơ quan bên ngoài")


COMMITTEE_KINDS = {UnitKind.UBND_TINH, UnitKind.UBND_HUYEN, UnitKind.UBND_XA}


class UnitQuerySet(models.QuerySet["Unit"]):
    def in_force(self, on: date) -> "UnitQuerySet":
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=on),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on),
        )


class Unit(models.Model):
    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên chính thức"), max_length=255)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey("self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    short_names = models.JSONField(_("tên viết tắt"), default=list, blank=True)
    aliases = models.JSONField(_("tên gọi khác"), default=list, blank=True)
    symbol = models.CharField(_("ký hiệu trên văn bản"), max_length=32, blank=True)
    e_id = models.CharField(_("mã định danh điện tử"), max_length=32, blank=True)
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def in_force_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)

    @property
    def is_committee(self) -> bool:
        return self.kind in COMMITTEE_KINDS


class SuccessionKind(models.TextChoices):
    MERGED = "merged", _("hợp nhất vào")
    SPLIT = "split", _("chia tách thành")
    RENAMED = "renamed", _("đổi tên thành")
    TRANSFERRED = "transferred", _("chuyển giao cho")


class Succession(models.Model):
    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successions_out")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successions_in")
    kind = models.CharField(_("hình thức"), max_length=16, choices=SuccessionKind.choices)
    on = models.DateField(_("ngày"), null=True, blank=True)
    note = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_succession")]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
