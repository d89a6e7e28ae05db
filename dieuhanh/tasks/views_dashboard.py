"""The dashboard page: a leader's summary of a subtree (one document's tasks unit by unit is
``tasks:document_status``, in views.py).

Thin views over :mod:`dieuhanh.tasks.dashboard`. ``?format=csv|xlsx`` exports a table
(``?bang=don_vi`` the per-unit table, the default; ``?bang=qua_han`` the overdue list)
through :func:`dieuhanh.tasks.exports.table_response`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dieuhanh.tasks.dashboard import (
    UNIT_COLUMNS, leader_dashboard, overdue_table, trend_chart, unit_table,
)
from dieuhanh.tasks.exports import requested_format, table_response

def _query(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("don_vi", "").strip() or None
    data = leader_dashboard(request.user, unit=code, sort=request.GET.get("sort"))
    fmt = requested_format(request)
    if fmt:
        table = request.GET.get("bang")
        suffix = data.unit["code"] if data.unit else "toan-bo"
        if table == "qua_han":
            columns, rows = overdue_table(data)
            filename = f"nhiem-vu-qua-han-{suffix}"
        else:
            columns, rows = unit_table(data)
            filename = f"tong-hop-theo-don-vi-{suffix}"
        return table_response(request, rows, columns, filename, fmt)

    params = {"don_vi": code or "", "sort": data.sort}
    sort_links = []
    for key, label in UNIT_COLUMNS:
        active = data.sort.lstrip("-") == key
        descending = data.sort.startswith("-")
        # First click: names A→Z, numbers largest first; clicking again reverses.
        if active:
            target = key if descending else f"-{key}"
        else:
            target = key if key == "name" else f"-{key}"
        sort_links.append({"key": key, "label": label, "url": _query(params, sort=target), "active": active,
                           "descending": active and descending})
    for row in data.rows:
        row["url"] = _query({"sort": data.sort}, don_vi=row["code"])
    return render(request, "tasks/dashboard.html", {
        "data": data,
        "chart": trend_chart(data.trend),
        "sort_links": sort_links,
        "exports": {
            "unit_csv": _query(params, format="csv", bang="don_vi"),
            "unit_xlsx": _query(params, format="xlsx", bang="don_vi"),
            "overdue_csv": _query(params, format="csv", bang="qua_han"),
            "overdue_xlsx": _query(params, format="xlsx", bang="qua_han"),
        },
        "crumbs": [{"name": c["name"], "url": _query({"sort": data.sort}, don_vi=c["code"])}
                   for c in data.breadcrumbs],
    })
