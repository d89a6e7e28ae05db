"""Forms of the report pages: a request, the unit's report sheet, the requester's decisions,
the consolidated report and the outline import.

The report sheet is not a Django form: its fields come from the outline. Inputs are named
``s__<section>`` (narrative text) and ``t__<table>__<row>__<col>`` (a table cell);
:func:`raw_from_post` turns them into the ``{"sections": …, "tables": …}`` dict the services
clean and validate, and :func:`build_sheet` lays an outline out for the template, with each
service :class:`Problem` next to the input its path names (``tables.PL3.tthc_tong.gd1``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.orgs.models import Unit, UnitKind
from dieuhanh.reports.models import OutlineVersion, PeriodKind
from dieuhanh.web.forms import vn_date_field

DATE_ERROR = _("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 09/04/2020.")

# "chọn tất cả …" helpers of the request form: which kinds of unit each one ticks
PICKS: dict[str, tuple[str, ...]] = {
    "co-quan-chuyen-mon": (UnitKind.PHONG, UnitKind.VAN_PHONG, UnitKind.SO),
    "phuong-xa": (UnitKind.UBND_XA,),
}


def date_field(label: Any, required: bool = False) -> forms.DateField:
    return vn_date_field(label, required=required, error=DATE_ERROR,
                         error_messages={"required": _("Chưa nhập ngày.")})


def current_versions() -> QuerySet[OutlineVersion]:
    """The newest version of every outline (what a new request may be sent with)."""
    newest = OutlineVersion.objects.filter(outline=OuterRef("outline")).order_by("-number").values("number")[:1]
    return (OutlineVersion.objects.filter(number=Subquery(newest)).select_related("outline")
            .order_by("outline__title", "outline_id"))


class VersionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OutlineVersion) -> str:
        return f"{obj.outline.title} (v{obj.number})"


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class RequestForm(forms.Form):
    title = forms.CharField(label=_("Tên báo cáo"), max_length=500,
                            error_messages={"required": _("Chưa nhập tên báo cáo.")})
    outline_version = VersionField(label=_("Đề cương"), queryset=OutlineVersion.objects.none(),
                                   empty_label=None,
                                   error_messages={"required": _("Chưa chọn đề cương."),
                                                   "invalid_choice": _("Đề cương đã chọn không hợp lệ.")})
    units = UnitsField(label=_("Đơn vị báo cáo"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple,
                       error_messages={"required": _("Chưa chọn đơn vị báo cáo."),
                                       "invalid_choice": _("Đơn vị đã chọn không hợp lệ."),
                                       "invalid_pk_value": _("Đơn vị đã chọn không hợp lệ.")})
    period_kind = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=PeriodKind.choices,
                                    error_messages={"required": _("Chưa chọn kỳ báo cáo."),
                                                    "invalid_choice": _("Kỳ báo cáo không hợp lệ.")})
    year = forms.IntegerField(label=_("Năm"), min_value=1900, max_value=9999,
                              error_messages={"required": _("Chưa nhập năm báo cáo."),
                                              "invalid": _("Năm báo cáo không hợp lệ."),
                                              "min_value": _("Năm báo cáo không hợp lệ."),
                                              "max_value": _("Năm báo cáo không hợp lệ.")})
    number = forms.IntegerField(label=_("Tháng / quý"), required=False, min_value=1, max_value=12,
                                error_messages={"invalid": _("Tháng hoặc quý phải là số."),
                                                "min_value": _("Tháng hoặc quý phải từ 1 trở lên."),
                                                "max_value": _("Tháng hoặc quý không quá 12.")})
    period_start = date_field(_("Từ ngày"))
    period_end = date_field(_("Đến ngày"))
    cutoff_on = date_field(_("Ngày chốt số liệu"))
    due_on = date_field(_("Hạn gửi báo cáo"), required=True)
    recipient = forms.CharField(label=_("Nơi nhận báo cáo tổng hợp"), max_length=255, required=False)
    instructions = forms.CharField(label=_("Hướng dẫn"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    source_assignment = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["outline_version"].queryset = versions

    def clean(self) -> dict[str, Any]:
        """Fill the window from the period (Decree 09 rules) unless it is a custom one."""
        from dieuhanh.reports.periods import custom_window, period_window

        data = super().clean()
        kind, year = data.get("period_kind"), data.get("year")
        if self.errors or not kind or not year:
            return data
        try:
            if kind == PeriodKind.CUSTOM:
                start, end, cutoff = custom_window(data.get("period_start"), data.get("period_end"),
                                                   data.get("cutoff_on"))
            else:
                start, end, cutoff = period_window(kind, year, data.get("number"))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        data.update(period_start=start, period_end=end, cutoff_on=cutoff)
        return data

    def window_preview(self) -> dict[str, Any] | None:
        """Start, end and cut-off of a valid period (shown after "Tính ngày")."""
        if not hasattr(self, "cleaned_data") or self.errors:
            return None
        d = self.cleaned_data
        return {k: d.get(k) for k in ("period_start", "period_end", "cutoff_on")}


def unit_groups(units: Iterable[Unit], checked: Iterable[Any]) -> list[dict[str, Any]]:
    """The unit checkboxes grouped by parent unit (a two-level tree), in name order."""
    checked_ids = {str(x) for x in checked}
    groups: dict[Any, dict[str, Any]] = {}
    for unit in units:
        parent = unit.parent
        key = parent.pk if parent else None
        group = groups.setdefault(key, {"parent": parent, "units": []})
        group["units"].append({"unit": unit, "checked": str(unit.pk) in checked_ids})
    return sorted(groups.values(), key=lambda g: (g["parent"].name if g["parent"] else ""))


def picked_units(units: Iterable[Unit], pick: str) -> list[int]:
    kinds = PICKS.get(pick, ())
    return [u.pk for u in units if u.kind in kinds]


# --- the report sheet --------------------------------------------------------------------------

def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def section_name(key: str) -> str:
    return f"s__{key}"


def cell_name(table: str, row: str, col: str) -> str:
    return f"t__{table}__{row}__{col}"


def _input_columns(table: Any) -> list[Any]:
    return list(_get(table, "columns") or [])


def _rows(table: Any) -> list[Any]:
    return list(_get(table, "rows") or [])


def _section_tables(schema: Any, section: Any) -> list[Any]:
    found = []
    for ref in _get(section, "tables") or []:
        try:
            table = schema.table(ref) if isinstance(ref, str) else ref
        except KeyError:
            continue
        if table is not None:
            found.append(table)
    return found


def raw_from_post(schema: Any, post: Mapping[str, Any]) -> dict[str, Any]:
    """``{"sections": {key: text}, "tables": {table: {row: {col: text}}}}`` from the posted inputs,
    only for the sections and cells the outline has (empty cells left out)."""
    sections: dict[str, str] = {}
    tables: dict[str, dict[str, dict[str, str]]] = {}
    for _depth, section in schema.walk():
        key = _get(section, "key")
        if _get(section, "narrative"):
            name = section_name(key)
            if name in post:
                sections[key] = str(post.get(name) or "").replace("\r\n", "\n")
        for table in _section_tables(schema, section):
            tkey = _get(table, "key")
            for row in _rows(table):
                rkey = _get(row, "key")
                for col in _input_columns(table):
                    ckey = _get(col, "key")
                    value = str(post.get(cell_name(tkey, rkey, ckey)) or "").strip()
                    if value:
                        tables.setdefault(tkey, {}).setdefault(rkey, {})[ckey] = value
    return {"sections": sections, "tables": tables}


def problems_by_path(problems: Iterable[Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for p in problems or []:
        found[str(_get(p, "path") or "")].append(str(_get(p, "message") or p))
    return dict(found)


def _format_value(value: Any) -> str:
    """A stored figure as a Vietnamese reader writes it: 1.234 and 12,5."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}".replace(",", ".")
        whole, _dot, frac = f"{value:,.2f}".rstrip("0").partition(".")
        return whole.replace(",", ".") + ("," + frac if frac else "")
    return str(value)


def build_sheet(schema: Any, data: Mapping[str, Any] | None, problems: Iterable[Any] = (),
                raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The outline laid out for the template: ``sections`` (in outline order, each with its
    ``tables`` of ``rows`` of ``cells``) and ``general`` (problems not tied to an input).

    Values come from ``raw`` (what was just posted) when given, else from the stored ``data``."""
    data = data or {}
    source = raw if raw is not None else data
    texts = _get(source, "sections") or {}
    figures = _get(source, "tables") or {}
    by_path = problems_by_path(problems)
    used: set[str] = set()

    def errors(path: str) -> list[str]:
        used.add(path)
        return by_path.get(path, [])

    sections = []
    for depth, section in schema.walk():
        key = _get(section, "key")
        entry: dict[str, Any] = {
            "depth": depth, "key": key, "no": _get(section, "no") or "", "title": _get(section, "title") or "",
            "guidance": _get(section, "guidance") or "", "narrative": bool(_get(section, "narrative")),
            "name": section_name(key), "text": texts.get(key, "") if isinstance(texts, Mapping) else "",
            "errors": errors(f"sections.{key}"), "tables": [],
        }
        for table in _section_tables(schema, section):
            tkey = _get(table, "key")
            columns = _input_columns(table)
            values = figures.get(tkey) or {} if isinstance(figures, Mapping) else {}
            rows = []
            for row in _rows(table):
                rkey = _get(row, "key")
                row_values = values.get(rkey) or {}
                cells = []
                for col in columns:
                    ckey = _get(col, "key")
                    value = row_values.get(ckey, "")
                    cells.append({"name": cell_name(tkey, rkey, ckey), "col": col,
                                  "value": value if raw is not None else _format_value(value),
                                  "errors": errors(f"tables.{tkey}.{rkey}.{ckey}")})
                rows.append({"row": row, "key": rkey, "label": _get(row, "label") or rkey,
                             "unit": _get(row, "unit") or "", "cells": cells,
                             "errors": errors(f"tables.{tkey}.{rkey}")})
            entry["tables"].append({"key": tkey, "title": _get(table, "title") or tkey, "columns": columns,
                                    "rows": rows, "errors": errors(f"tables.{tkey}"),
                                    "has_units": any(_get(r, "unit") for r in _rows(table))})
        sections.append(entry)
    general = [m for path, msgs in by_path.items() if path not in used for m in msgs]
    return {"sections": sections, "general": general,
            "count": sum(len(v) for v in by_path.values())}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Tệp đính kèm"), required=False,
                           error_messages={"empty": _("Tệp rỗng, không có nội dung.")})

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        limit = settings.UPLOAD_MAX_BYTES
        if upload is not None and upload.size > limit:
            raise forms.ValidationError(_("Tệp quá lớn."))
        return upload


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("Phải nêu lý do trả lại.")})


# --- the consolidated report ----------------------------------------------------------------------

class ConsolidationForm(forms.Form):
    subject = forms.CharField(label=_("Trích yếu"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signer_authority = forms.CharField(label=_("Quyền hạn ký (TM., KT., …)"), max_length=150, required=False)
    signer_position = forms.CharField(label=_("Chức vụ người ký"), max_length=150, required=False)
    signer_name = forms.CharField(label=_("Người ký"), max_length=100, required=False)
    distribution = forms.CharField(label=_("Nơi nhận (mỗi dòng một nơi)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, sections: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_keys = []
        for key, label in sections:
            name = section_name(key)
            self.section_keys.append((key, name))
            self.fields[name] = forms.CharField(label=label, required=False,
                                                widget=forms.Textarea(attrs={"rows": 8}))

    def clean_distribution(self) -> list[str]:
        text = self.cleaned_data.get("distribution") or ""
        return [line.strip().strip("-;.").strip() for line in text.splitlines() if line.strip().strip("-;.").strip()]

    def texts(self) -> dict[str, str]:
        return {key: (self.cleaned_data.get(name) or "").replace("\r\n", "\n") for key, name in self.section_keys}

    @staticmethod
    def initial_from(c: Any) -> dict[str, Any]:
        initial = {"subject": c.subject, "signer_authority": c.signer_authority, "signer_position": c.signer_position,
                   "signer_name": c.signer_name, "distribution": "\n".join(c.distribution or [])}
        for key, text in (c.texts or {}).items():
            initial[section_name(key)] = text
        return initial


# --- outlines --------------------------------------------------------------------------------

YAML_MAX_BYTES = 512 * 1024


class OutlineImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp YAML"), required=False,
                           error_messages={"empty": _("Tệp rỗng, không có nội dung.")})
    text = forms.CharField(label=_("Hoặc dán nội dung YAML"), required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}))
    note = forms.CharField(label=_("Ghi chú thay đổi"), max_length=255, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        upload, text = data.get("file"), data.get("text") or ""
        if upload is not None:
            if upload.size > YAML_MAX_BYTES:
                raise forms.ValidationError(_("Tệp YAML quá lớn (tối đa 512 KB)."))
            content = upload.read()
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("Tệp YAML phải được lưu bằng bảng mã UTF-8.")) from None
        if not text.strip():
            raise forms.ValidationError(_("Chưa chọn tệp hoặc dán nội dung YAML."))
        if len(text.encode("utf-8")) > YAML_MAX_BYTES:
            raise forms.ValidationError(_("Nội dung YAML quá lớn (tối đa 512 KB)."))
        data["yaml"] = text
        return data


def today() -> datetime.date:
    return timezone.localdate()
