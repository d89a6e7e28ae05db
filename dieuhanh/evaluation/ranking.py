"""The index, the ranking per group with its bands, the flagged bottom units, and the
server-rendered SVG charts (no script: the Content-Security-Policy forbids inline code).

Ranks come from a window function over the stored indexes (``Participant.index``), so a
page of the ranking is one query whatever the number of units; ties share a rank.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import Rank
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dieuhanh.evaluation.models import Participant, Round, Stage, UnitGroup

LIVE_SUMMARY_LIMIT = 2000  # below this many units the group averages are computed on the spot


def band_of(index: Decimal | float, bands: list[dict[str, Any]]) -> str:
    for band in sorted(bands, key=lambda b: -float(b.get("min_pct") or 0)):
        if float(index) >= float(band.get("min_pct") or 0):
            return str(band.get("name", ""))
    return str(bands[-1].get("name", "")) if bands else ""


def ranked(rnd: Round, group: str) -> Any:
    return (Participant.objects.filter(round=rnd, group=group)
            .annotate(rank=Window(Rank(), order_by=F("index").desc()))
            .select_related("unit").order_by("rank", "unit__name"))


def group_counts(rnd: Round) -> dict[str, int]:
    from django.db.models import Count

    return dict(Participant.objects.filter(round=rnd).order_by().values_list("group").annotate(n=Count("id")))


def decorate(rows: list[Participant], rnd: Round, count: int) -> list[Participant]:
    """Band and the flag of each row: the bottom ``flag_bottom`` of the group, or the lowest band."""
    lowest = str(rnd.bands[-1].get("name", "")) if rnd.bands else ""
    for p in rows:
        p.band = band_of(p.index, rnd.bands)  # type: ignore[attr-defined]
        p.flagged = p.rank > count - rnd.flag_bottom or (p.band == lowest and len(rnd.bands) > 1)  # type: ignore
    return rows


def full_ranking(rnd: Round) -> list[dict[str, Any]]:
    """Every participant of every group, ranked (the export and the API)."""
    counts = group_counts(rnd)
    out = []
    for group in (UnitGroup.PHONG, UnitGroup.PHUONG, UnitGroup.QUAN):
        if group not in counts:
            continue
        for p in decorate(list(ranked(rnd, group)), rnd, counts[group]):
            out.append({"participant": p, "group": group, "rank": p.rank, "band": p.band, "flagged": p.flagged})
    return out


# --- per-area figures -----------------------------------------------------------------------------

def area_averages(rnd: Round) -> dict[str, dict[str, float]]:
    """group → area code → average % of that area's maximum."""
    if rnd.participants.count() > LIVE_SUMMARY_LIMIT and rnd.summary:
        return rnd.summary
    return compute_summary(rnd)


def compute_summary(rnd: Round) -> dict[str, dict[str, float]]:
    maxima: dict[int, dict[str, Decimal]] = {}
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for group, version_id, area_points in (Participant.objects.filter(round=rnd)
                                           .values_list("group", "version_id", "area_points").iterator(5000)):
        if version_id not in maxima:
            from dieuhanh.evaluation.models import CriteriaVersion

            tree = CriteriaVersion.objects.get(pk=version_id).tree()
            maxima[version_id] = {a.code: a.max for a in tree.areas if a.kind == "normal"}
        for code, maximum in maxima[version_id].items():
            if maximum:
                sums[group][code].append(float(Decimal(area_points.get(code, "0")) * 100 / maximum))
    return {g: {a: round(sum(v) / len(v), 1) for a, v in areas.items()} for g, areas in sums.items()}


def previous_round(rnd: Round) -> Round | None:
    return (Round.objects.filter(organiser_unit_id=rnd.organiser_unit_id, year=rnd.year - 1,
                                 stage=Stage.PUBLISHED).order_by("-published_at", "-id").first())


def area_titles(rnd: Round, group: str) -> list[tuple[str, str]]:
    p = Participant.objects.filter(round=rnd, group=group).select_related("version").first()
    if p is None:
        return []
    return [(a.code, a.title) for a in p.version.tree().areas if a.kind == "normal"]


# --- SVG ------------------------------------------------------------------------------------------

COLOURS = ("#2b6cb0", "#a0aec0", "#dd6b20")


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list[float | None]]]) -> SafeString:
    """Horizontal bars, one row per label, one bar per series (0-100 %), with a legend."""
    bar_h, gap, label_w, plot_w = 12, 10, 260, 300
    row_h = bar_h * len(series) + gap
    height = 40 + row_h * len(labels) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ev-chart" viewBox="0 0 {label_w + plot_w + 60} '
             f'{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    x = label_w
    for k, (name, _values) in enumerate(series):
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{COLOURS[k % 3]}"/>'
                     f'<text x="{x + 14}" y="15" font-size="11">{escape(name)}</text>')
        x += 14 + 7 * len(name) + 16
    for i, label in enumerate(labels):
        y = 32 + i * row_h
        short = label if len(label) <= 42 else label[:40] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h}" font-size="11" text-anchor="end">'
                     f'<title>{escape(label)}</title>{escape(short)}</text>')
        for k, (_name, values) in enumerate(series):
            value = values[i] if i < len(values) else None
            by = y + k * bar_h
            if value is None:
                parts.append(f'<text x="{label_w + 4}" y="{by + bar_h - 2}" font-size="10" fill="#718096">—</text>')
                continue
            width = max(0.0, min(float(value), 100.0)) * plot_w / 100
            parts.append(f'<rect x="{label_w}" y="{by}" width="{width:.1f}" height="{bar_h - 2}" '
                         f'fill="{COLOURS[k % 3]}"/><text x="{label_w + width + 4:.1f}" y="{by + bar_h - 2}" '
                         f'font-size="10">{_pct(value)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + "%"
