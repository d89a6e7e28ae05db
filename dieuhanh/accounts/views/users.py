"""Administrators: the list of users and creating one (one account's page: ``user_manage``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from dieuhanh.accounts import services
from dieuhanh.accounts.forms import UserCreateForm
from dieuhanh.accounts.models import User
from dieuhanh.accounts.permissions import admin_required

PAGE_SIZE = 50


@require_GET
@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:150]
    users = User.objects.select_related("unit").order_by("username")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(first_name__icontains=query)
                             | Q(last_name__icontains=query) | Q(unit__name__icontains=query))
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "q": query})


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
@admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            # The administrator chose the first password: the user replaces it at the first login.
            user = services.create_user(request.user, {**form.cleaned_data, "must_change_password": True}, request)
        except IntegrityError:  # the same username posted twice at once
            form.add_error("username", _("Đã có người dùng với tên đăng nhập này."))
        else:
            messages.success(request, _("Đã tạo tài khoản “%(username)s”.") % {"username": user.username})
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form})
