"""Outlines (đề cương báo cáo): the list, one outline (sections, tables, versions, YAML editor),
the YAML download and the import (a new outline or a new version)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dieuhanh.reports import forms
from dieuhanh.reports import permissions as perms
from dieuhanh.reports import services as reports
from dieuhanh.reports.models import Outline, OutlineVersion
from dieuhanh.reports.permissions import outlines_visible_to
from dieuhanh.reports.views import SERVICE_ERRORS, download, error_texts


@require_GET
@login_required
def outline_list(request: HttpRequest) -> HttpResponse:
    rows = (outlines_visible_to(request.user).select_related("owner_unit")
            .annotate(version_count=Count("versions"), latest=Max("versions__number"),
                      changed_at=Max("versions__created_at"))
            .order_by("title", "id"))
    return render(request, "reports/outlines.html", {"outlines": rows,
                                                     "can_manage": perms.can_manage_outlines(request.user)})


def _version(outline: Outline, raw: str | None) -> OutlineVersion:
    versions = outline.versions.select_related("created_by")
    if raw:
        try:
            return versions.get(number=int(raw))
        except (ValueError, OutlineVersion.DoesNotExist):
            raise Http404 from None
    found = versions.order_by("-number").first()
    if found is None:
        raise Http404
    return found


def _tree(schema: Any) -> list[dict[str, Any]]:
    return [{"depth": depth, "depth_class": min(depth, 5), "s": s} for depth, s in schema.walk()]


@require_GET
@login_required
def outline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outline = perms.get_outline_for_user(request.user, pk)
    version = _version(outline, request.GET.get("phien_ban"))
    schema = version.schema()
    versions = list(outline.versions.select_related("created_by").order_by("-number"))
    can_manage = perms.can_manage_outlines(request.user)
    editor = None
    if can_manage and version.number == versions[0].number:
        editor = forms.OutlineImportForm(initial={"text": reports.outline_yaml(version)})
    return render(request, "reports/outline.html", {
        "outline": outline, "version": version, "schema": schema, "tree": _tree(schema),
        "tables": list(schema.tables), "versions": versions, "latest": versions[0], "editor": editor,
        "can_manage": can_manage,
    })


@require_GET
@login_required
def outline_yaml(request: HttpRequest, pk: int) -> HttpResponse:
    outline = perms.get_outline_for_user(request.user, pk)
    version = _version(outline, request.GET.get("phien_ban"))
    text = reports.outline_yaml(version)
    return download(text.encode("utf-8"), "application/yaml; charset=utf-8",
                    f"{outline.code}-v{version.number}.yaml")


@require_http_methods(["GET", "POST"])
@login_required
def outline_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_manage_outlines(user):
        raise PermissionDenied(_("Bạn không có quyền quản lý đề cương báo cáo."))
    form = forms.OutlineImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = reports.import_outline(user, form.cleaned_data["yaml"], note=form.cleaned_data.get("note") or "",
                                             http_request=request)
        except SERVICE_ERRORS as exc:
            form.add_error(None, error_texts(exc))
        except PermissionDenied as exc:  # an outline code of another unit: say so, on the form
            form.add_error(None, str(exc) or _("Bạn không có quyền sửa đề cương này."))
        else:
            messages.success(request, _("Đã nhập đề cương «%(title)s», phiên bản %(n)d.")
                             % {"title": version.outline.title, "n": version.number})
            return redirect("reports:outline", pk=version.outline_id)
    return render(request, "reports/outline_import.html", {"form": form})
