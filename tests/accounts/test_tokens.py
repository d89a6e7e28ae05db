"""API tokens: shown once, stored hashed, revocable, each action audited."""

from __future__ import annotations

import re

from django.urls import reverse

from dieuhanh.accounts import services
from dieuhanh.accounts.models import ApiToken, AuditAction
from tests.accounts.helpers import audit_rows, text_of
from tests.accounts.matrix import assert_matrix

LIST = "/tai-khoan/ma-api/"
CREATE = "/tai-khoan/ma-api/tao/"
TOKEN_RE = re.compile(r'value="(dh_[A-Za-z0-9_-]+)"')


def revoke_url(token: ApiToken) -> str:
    return reverse("accounts:token_revoke", args=[token.pk])


def test_urls() -> None:
    assert reverse("accounts:tokens") == LIST and reverse("accounts:token_create") == CREATE


def test_every_user_has_their_own_token_page(client, actors) -> None:
    assert_matrix(client, actors, LIST, allowed=set(actors))


def test_anonymous_goes_to_login(client, db) -> None:
    for url, method in ((LIST, client.get), (CREATE, client.post)):
        response = method(url)
        assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")


def test_create_shows_the_token_once_and_stores_only_its_hash(login, actors) -> None:
    user = actors["district_specialist"]
    client = login(user)
    response = client.post(CREATE, {"name": "  Máy chủ   báo cáo "})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    [plain] = TOKEN_RE.findall(text_of(response))
    token = ApiToken.objects.get(user=user)
    assert token.name == "Máy chủ báo cáo" and token.prefix == plain[:8]
    assert token.digest == ApiToken.hash(plain) and plain not in token.digest
    assert not ApiToken.objects.filter(digest=plain).exists()
    assert plain not in str(client.session.items())
    again = text_of(client.get(LIST))
    assert plain not in again and token.prefix in again and "Máy chủ báo cáo" in again
    [row] = audit_rows(AuditAction.CREATE, object_type="accounts.apitoken")
    assert row.actor == user and row.unit_id == user.unit_id
    assert row.after == {"user": user.pk, "name": "Máy chủ báo cáo", "prefix": token.prefix, "revoked": False}
    assert plain not in str(row.after) and token.digest not in str(row.after)


def test_create_needs_a_name(login, actors) -> None:
    client = login(actors["ward_clerk"])
    response = client.post(CREATE, {"name": "   "})
    assert response.status_code == 200 and "Hãy đặt tên cho mã truy cập." in text_of(response)
    assert "Tên dài tối đa 100 ký tự." in text_of(client.post(CREATE, {"name": "x" * 101}))
    assert not ApiToken.objects.exists() and not audit_rows()


def test_active_tokens_are_capped(login, actors) -> None:
    user = actors["ward_clerk"]
    for n in range(services.MAX_ACTIVE_TOKENS):
        ApiToken.issue(user, f"mã {n}")
    client = login(user)
    response = client.post(CREATE, {"name": "thêm nữa"}, follow=True)
    assert "hãy thu hồi mã không cần nữa trước" in text_of(response)
    assert ApiToken.objects.filter(user=user).count() == services.MAX_ACTIVE_TOKENS


def test_revoke(login, actors) -> None:
    user = actors["ward_clerk"]
    token, _plain = ApiToken.issue(user, "Kết nối thử")
    client = login(user)
    response = client.post(revoke_url(token))
    assert response.status_code == 302 and response["Location"] == LIST
    token.refresh_from_db()
    assert token.revoked
    [row] = audit_rows(AuditAction.STATE, object_type="accounts.apitoken")
    assert row.before["revoked"] is False and row.after["revoked"] is True and row.actor == user
    assert "Đã thu hồi" in text_of(client.get(LIST))
    # a second revoke changes nothing and writes nothing
    assert "đã được thu hồi từ trước" in text_of(client.post(revoke_url(token), follow=True))
    assert len(audit_rows(AuditAction.STATE)) == 1


def test_someone_elses_token_is_a_404(client, actors) -> None:
    token, _plain = ApiToken.issue(actors["ward_clerk"], "của văn thư")
    others = {name: user for name, user in actors.items() if name != "ward_clerk"}
    assert_matrix(client, others, revoke_url(token), allowed=set(), method="post")
    token.refresh_from_db()
    assert not token.revoked
    client.force_login(actors["admin"])
    assert client.post(reverse("accounts:token_revoke", args=[999999])).status_code == 404


def test_wrong_methods(login, actors) -> None:
    token, _plain = ApiToken.issue(actors["admin"], "x")
    client = login(actors["admin"])
    assert client.get(CREATE).status_code == 405
    assert client.get(revoke_url(token)).status_code == 405
    assert client.post(LIST).status_code == 405
