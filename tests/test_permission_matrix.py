"""The permission matrix of the whole app: every named actor (and an anonymous visitor)
× every page, download, API call and form action → the one answer expected.

The table (``MATRIX``) is the specification; ``CALLS`` says how each row is requested.
Each cell runs in its own savepoint that is rolled back afterwards, so a POST by one
actor (a revoked token, a created user, a logout) never changes what the next one
sees, and the order of the table does not matter. Every wrong cell is reported at once.

Cells:
    ok     200 (the page, the JSON, the file)
    201    created (API POST)
    go     302 to somewhere other than the login page (a form that worked)
    login  302 to the login page (anonymous visitor on a page or form)
    bye    302 to the login page and the session is gone (logout)
    401    API without credentials
    403    may see, may not act
    404    outside the actor's scope (or nothing there): its existence is not revealed
    405    wrong method (a download posted to)

The API rows run twice: with the browser session and with the actor's bearer token.

``test_every_route_is_in_the_matrix`` walks the URL resolver: a new named route
without a row here fails CI.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from dieuhanh.accounts.models import ApiToken, Role
from dieuhanh.accounts.scope import can_see_unit
from dieuhanh.documents import services
from dieuhanh.documents.models import Direction, Document, IntakeJob, Register
from dieuhanh.tasks import ics
from dieuhanh.tasks import services as tasks
from dieuhanh.tasks.models import Assignment, CalendarDay, Notification, NotificationKind, ProgressNote, Status, Task
from dieuhanh.tasks.proposals import Proposal
from tests.documents.helpers import PLAN_29
from tests.factories import PASSWORD, UserFactory

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ANON = "anonymous"
ACTORS = ("district_clerk", "district_specialist", "noi_vu_head", "district_leader", "ward_chairman",
          "ward_clerk", "other_ward_clerk", "outsider", "admin", ANON)
# Routes no actor needs a permission row for.
NOT_IN_MATRIX = {"set_language"}  # Django's language switch: no data, the same for everyone


@pytest.fixture(autouse=True)
def _fast_hasher_and_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """MD5 passwords (the actors are rebuilt per test) and files under a temporary MEDIA_ROOT."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --- the data every matrix test sees --------------------------------------------------------


@dataclass
class World:
    units: dict[str, Any]
    actors: dict[str, Any]
    registers: dict[str, Register]
    docs: dict[str, Document]   # "district" (sổ đi, shared with nobody), "dispatch" (sổ đi, shared with
    #                             Phòng Nội vụ), "le_binh" (sổ đến), "tan_an" (sổ đến)
    tokens: dict[str, tuple[ApiToken, str]]  # each actor's own token, and "stranger"'s
    # "le_binh" / "noi_vu": the two assignments of the task Phòng Nội vụ issued from "dispatch";
    # "tan_an": the assignment of a task Tân An gave itself (from its own document)
    assignments: dict[str, Assignment] = field(default_factory=dict)
    notes: dict[str, ProgressNote] = field(default_factory=dict)  # a note with a file on "le_binh", "tan_an"
    notifications: dict[str, Notification] = field(default_factory=dict)  # "ward_clerk", "outsider"
    feed_token: str = ""  # ward_clerk's ICS feed secret
    intake_job: int = 0  # district_clerk's scan waiting for OCR in the district's incoming register

    def doc(self, key: str) -> int:
        return self.docs[key].pk

    def file(self, key: str) -> int:
        return self.docs[key].attachments.get().pk


def build_world(units: dict[str, Any], actors: dict[str, Any]) -> World:
    def register(unit: str, direction: str, name: str) -> Register:
        return Register.objects.create(unit=units[unit], direction=direction, name=name)

    registers = {
        "district_in": register("district", Direction.INCOMING, "Sổ văn bản đến"),
        "district_out": register("district", Direction.OUTGOING, "Sổ văn bản đi"),
        "noi_vu_draft": register("noi_vu", Direction.DRAFT, "Sổ dự thảo"),
        "le_binh_in": register("le_binh", Direction.INCOMING, "Sổ văn bản đến"),
        "ba_lang_in": register("ba_lang", Direction.INCOMING, "Sổ văn bản đến"),
        "tan_an_in": register("tan_an", Direction.INCOMING, "Sổ văn bản đến"),
    }

    def document(clerk: str, reg: str, number_symbol: str, subject: str, issuer: str) -> Document:
        fields = {"doc_type": "Công văn", "number_symbol": number_symbol, "subject": subject, "issuer": issuer,
                  "issued_on": date(2020, 3, 5), "body": f"Nội dung: {subject}."}
        upload = services.IntakeFile(f"{number_symbol} {subject}".encode(), f"{number_symbol.replace('/', '-')}.txt")
        return services.register_document(actors[clerk], registers[reg], fields, upload=upload)

    docs = {
        "district": document("district_clerk", "district_out", "313/UBND", "Triển khai kế hoạch cải cách hành chính",
                             "Ủy ban nhân dân quận Cái Răng"),
        "le_binh": document("ward_clerk", "le_binh_in", "12/UBND", "Về việc trồng cây xanh",
                            "Ủy ban nhân dân quận Cái Răng"),
        "tan_an": document("outsider", "tan_an_in", "7/UBND", "Về việc chỉnh trang đô thị",
                           "Ủy ban nhân dân quận Ninh Kiều"),
    }
    assert not docs["district"].shared_with.exists()
    stranger = UserFactory(username="nguoi.khac", unit=units["le_binh"], role=Role.VAN_THU)
    tokens = {name: ApiToken.issue(user, "kịch bản") for name, user in actors.items()}
    tokens["stranger"] = ApiToken.issue(stranger, "của người khác")
    world = World(units, actors, registers, docs, tokens)
    world.intake_job = IntakeJob.objects.create(user=actors["district_clerk"], register=registers["district_in"],
                                                filename="ban-quet.pdf", checksum="0" * 64, needs="ocr", pages=3).pk
    add_tasks(world)
    return world


def add_tasks(w: World) -> None:
    """The district's dispatch, distributed to Phòng Nội vụ, whose specialist issues a task from it
    to ward Lê Bình and to Phòng Nội vụ itself; a task Tân An gives itself; two users' notifications."""
    units, actors = w.units, w.actors
    documents_share = services.share_document
    upload = services.IntakeFile(b"315/UBND ke hoach tuyen truyen", "315-UBND.txt")
    dispatch = services.register_document(actors["district_clerk"], w.registers["district_out"], {
        "doc_type": "Kế hoạch", "number_symbol": "315/KH-UBND", "subject": "Tuyên truyền phổ biến pháp luật năm 2020",
        "issuer": "Ủy ban nhân dân quận Cái Răng", "issued_on": date(2020, 3, 6),
        "body": "Nội dung: giao Phòng Nội vụ chủ trì, UBND các phường thực hiện."}, upload=upload)
    documents_share(actors["district_clerk"], dispatch, [units["noi_vu"]])
    w.docs["dispatch"] = dispatch
    [task] = tasks.issue_tasks(actors["district_specialist"], dispatch, [Proposal(
        title="Tổ chức hội nghị tuyên truyền pháp luật", lead_unit_ids=[units["le_binh"].pk, units["noi_vu"].pk],
        due_on=date(2020, 4, 30))])
    w.assignments["le_binh"] = task.assignments.get(unit=units["le_binh"])
    w.assignments["noi_vu"] = task.assignments.get(unit=units["noi_vu"])
    tan_an_specialist = UserFactory(username="cv.tanan", unit=units["tan_an"], role=Role.CHUYEN_VIEN)
    [own] = tasks.issue_tasks(tan_an_specialist, w.docs["tan_an"], [Proposal(
        title="Rà soát vỉa hè phường Tân An", lead_unit_ids=[units["tan_an"].pk], due_on=date(2020, 5, 15))])
    w.assignments["tan_an"] = own.assignments.get()
    for key in ("le_binh", "tan_an"):  # written directly: the assignments stay new for the action rows
        note = ProgressNote(assignment=w.assignments[key], text="Biên bản họp", attachment_name="bien-ban.pdf")
        note.attachment.save("bien-ban.pdf", ContentFile(b"%PDF-1.4 bien ban"), save=True)
        w.notes[key] = note
    for who, key in (("ward_clerk", "le_binh"), ("outsider", "tan_an")):
        w.notifications[who] = Notification.objects.create(
            user=actors[who], assignment=w.assignments[key], kind=NotificationKind.OVERDUE,
            key=f"matrix:{who}", message=f"Nhiệm vụ quá hạn ({who})")
    w.feed_token = ics.regenerate_token(actors["ward_clerk"]).token


@pytest.fixture
def world(units, actors) -> World:  # type: ignore[no-untyped-def]
    return build_world(units, actors)


# --- how each row is requested ---------------------------------------------------------------

Path = Callable[[World, str], str]  # (world, actor name) → path with query


@dataclass(frozen=True)
class Call:
    route: str  # the URL name this row covers
    path: Path
    method: str = "get"
    data: Callable[[World, str], dict[str, Any]] | None = None
    flow: Callable[[Client, World, str, dict[str, str]], HttpResponse] | None = None
    api: bool = False  # JSON API: also run with the actor's bearer token

    def send(self, client: Client, w: World, who: str, headers: dict[str, str]) -> HttpResponse:
        if self.flow is not None:
            return self.flow(client, w, who, headers)
        data = self.data(w, who) if self.data else None
        call = getattr(client, self.method)
        return call(self.path(w, who), data, headers=headers) if data is not None else \
            call(self.path(w, who), headers=headers)


def url(route: str, *args: Callable[[World], Any], query: Callable[[World], str] | str = "") -> Path:
    def build(w: World, who: str) -> str:
        path = reverse(route, args=[a(w) for a in args])
        q = query(w) if callable(query) else query
        return f"{path}?{q}" if q else path

    return build


def get(route: str, *args: Callable[[World], Any], query: Callable[[World], str] | str = "",
        api: bool = False) -> Call:
    return Call(route, url(route, *args, query=query), api=api)


def post(route: str, *args: Callable[[World], Any], data: Callable[[World, str], dict[str, Any]],
         query: Callable[[World], str] | str = "", api: bool = False) -> Call:
    return Call(route, url(route, *args, query=query), method="post", data=data, api=api)


def doc(key: str) -> Callable[[World], int]:
    return lambda w: w.doc(key)


def edit_form(key: str) -> Callable[[World, str], dict[str, Any]]:
    def data(w: World, who: str) -> dict[str, Any]:
        document = w.docs[key]
        form = {"doc_type": document.doc_type, "number_symbol": document.number_symbol, "issuer": document.issuer,
                "subject": f"{document.subject} (đã sửa)", "issued_on": "05/03/2020", "body": document.body}
        if document.direction == Direction.INCOMING:
            form.update(arrived_on="06/03/2020", sender="UBND quận")
        return form

    return data


def intake_start(w: World, who: str) -> dict[str, Any]:
    return {"direction": Direction.OUTGOING, "register": w.registers["district_out"].pk, "text": PLAN_29}


INTAKE_DISTRICT_OUT = url("documents:intake", query=lambda w: f"register={w.registers['district_out'].pk}")
NO_REVIEW = 599  # a 200 without the review form: reported as a wrong cell


def intake_preview(client: Client, w: World, who: str, headers: dict[str, str]) -> HttpResponse:
    """Step 1 of the intake: upload (here: paste) → the review form with its signed token."""
    response = client.post(INTAKE_DISTRICT_OUT(w, who), intake_start(w, who), headers=headers)
    if response.status_code == 200:
        form = response.context["form"] if response.context and "form" in response.context else None
        if form is None or "token" not in form.fields:
            return HttpResponse(status=NO_REVIEW)
    return response


def intake_save(client: Client, w: World, who: str, headers: dict[str, str]) -> HttpResponse:
    """Both steps: the preview, then the review form posted back as shown → the document."""
    response = intake_preview(client, w, who, headers)
    if response.status_code != 200:
        return response
    form = response.context["form"]
    data = {"step": "review"}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, date):
            value = value.strftime("%d/%m/%Y")
        data[name] = "" if value is None else value
    return client.post(INTAKE_DISTRICT_OUT(w, who), data, headers=headers)


def api_upload(w: World, who: str) -> dict[str, Any]:
    return {"register": w.registers["district_out"].pk,
            "file": SimpleUploadedFile("ke-hoach-29.txt", PLAN_29.encode(), "text/plain")}


def own_token(w: World, who: str) -> str:
    token = w.tokens["stranger" if who == ANON else who][0]
    return reverse("accounts:token_revoke", args=[token.pk])


def new_user(w: World, who: str) -> dict[str, Any]:
    return {"username": "cv.moi", "full_name": "Trần Thị Bích Ngọc", "unit": w.units["le_binh"].pk,
            "role": Role.CHUYEN_VIEN, "position": "Chuyên viên", "password": "Phuong-Le-Binh-2025"}


NEW_PASSWORD = "Cai-Rang-Cho-Noi-2024"
NO_DATA: Callable[[World, str], dict[str, Any]] = lambda w, who: {}  # noqa: E731

# --- tasks rows ---
NOT_DONE = 598  # a 302 "it worked" redirect although the change did not happen: reported as a wrong cell


def checked(call: Call, done: Callable[[World], bool], prepare: Callable[[World], None] | None = None) -> Call:
    """``call`` run after ``prepare`` (inside the cell's savepoint); a redirect that is not to the login
    page must come with ``done(world)`` true, or the cell shows NOT_DONE."""
    def flow(client: Client, w: World, who: str, headers: dict[str, str]) -> HttpResponse:
        if prepare is not None:
            prepare(w)
        response = replace_flow(call).send(client, w, who, headers)
        if response.status_code == 302 and not _to_login(response.get("Location", "")) and not done(w):
            return HttpResponse(status=NOT_DONE)
        return response

    return Call(call.route, call.path, method=call.method, data=call.data, flow=flow)


def replace_flow(call: Call) -> Call:
    return Call(call.route, call.path, method=call.method, data=call.data)


def assignment(key: str) -> Callable[[World], int]:
    return lambda w: w.assignments[key].pk


def fresh(w: World, key: str) -> Assignment:
    return Assignment.objects.get(pk=w.assignments[key].pk)


def submitted(key: str) -> Callable[[World], None]:
    def prepare(w: World) -> None:  # the doer (here: the administrator) acknowledges and submits a result
        a = fresh(w, key)
        tasks.acknowledge(w.actors["admin"], a)
        tasks.submit_result(w.actors["admin"], a, note="Đã tổ chức hội nghị")
    return prepare


def acknowledged(key: str) -> Callable[[World], None]:
    return lambda w: tasks.acknowledge(w.actors["admin"], fresh(w, key))


def action(key: str, slug: str, status: str | None, data: Callable[[World, str], dict[str, Any]] = NO_DATA,
           prepare: Callable[[World], None] | None = None) -> Call:
    call = post("tasks:action", assignment(key), lambda w: slug, data=data)
    return checked(call, lambda w: status is not None and fresh(w, key).status == status, prepare)


def proposal_form(unit: str, title: str) -> Callable[[World, str], dict[str, Any]]:
    return lambda w, who: {"nv-TOTAL_FORMS": "1", "nv-INITIAL_FORMS": "0", "nv-MIN_NUM_FORMS": "0",
                           "nv-MAX_NUM_FORMS": "200", "nv-0-title": title, "nv-0-lead_units": [w.units[unit].pk],
                           "nv-0-due_on": "30/06/2020"}


def issued(title: str) -> Callable[[World], bool]:
    return lambda w: Task.objects.filter(title=title).exists()


def propose_post(key: str) -> Call:
    title = f"Nhiệm vụ mới từ văn bản {key}"
    return checked(post("tasks:propose", doc(key), data=proposal_form("le_binh", title)), issued(title))


MANUAL_TITLE = "Báo cáo nhanh tình hình mưa bão"


def note(key: str) -> Callable[[World], int]:
    return lambda w: w.notes[key].pk


def api_task(unit: str) -> Call:
    """POST /api/tasks (JSON) assigning MANUAL_TITLE to ``unit``: 201 only when it was created."""
    def flow(client: Client, w: World, who: str, headers: dict[str, str]) -> HttpResponse:
        body = {"title": MANUAL_TITLE, "source_note": "Điện thoại của Văn phòng UBND thành phố",
                "lead_units": [w.units[unit].code], "due_on": "2020-06-30"}
        with time_machine.travel(REPORTS_AT, tick=True):  # the test units are in force in 2020
            response = client.post(reverse("api:create_task"), json.dumps(body), content_type="application/json",
                                   headers=headers)
        if response.status_code == 201 and not Task.objects.filter(title=MANUAL_TITLE).exists():
            return HttpResponse(status=NOT_DONE)
        return response

    return Call("api:create_task", url("api:create_task"), method="post", flow=flow, api=True)
BAD_FEED = "A" * 43  # the shape of a feed secret, but nobody's

CALLS: dict[str, Call] = {
    # pages
    "overview": get("web:home"),
    "inbox_count": get("web:inbox_count"),
    "incoming": get("documents:incoming"),
    "outgoing": get("documents:outgoing"),
    "drafts": get("documents:drafts"),
    "incoming.le_binh_register": get("documents:incoming",
                                     query=lambda w: f"so={w.registers['le_binh_in'].pk}"),
    "intake": get("documents:intake"),
    "intake.le_binh_register": get("documents:intake",
                                   query=lambda w: f"register={w.registers['le_binh_in'].pk}"),
    "intake_job": get("documents:intake_job", lambda w: w.intake_job),
    "intake_progress": get("documents:intake_progress", lambda w: w.intake_job),
    "detail.district": get("documents:detail", doc("district")),
    "detail.le_binh": get("documents:detail", doc("le_binh")),
    "detail.tan_an": get("documents:detail", doc("tan_an")),
    "edit.district": get("documents:edit", doc("district")),
    "edit.le_binh": get("documents:edit", doc("le_binh")),
    "edit.tan_an": get("documents:edit", doc("tan_an")),
    "file.district": get("documents:attachment", doc("district"), lambda w: w.file("district")),
    "file.le_binh": get("documents:attachment", doc("le_binh"), lambda w: w.file("le_binh")),
    "file.tan_an": get("documents:attachment", doc("tan_an"), lambda w: w.file("tan_an")),
    # Lê Bình's document id with Tân An's file id: the file must belong to the document.
    "file.le_binh+tan_an_file": get("documents:attachment", doc("le_binh"), lambda w: w.file("tan_an")),
    "search": get("documents:search", query="q=cong+van"),
    "unit_tree": get("orgs:tree"),
    "unit.tan_an": get("orgs:detail", lambda w: "p_tan_an"),
    "unit.unknown": get("orgs:detail", lambda w: "khong-co-don-vi-nay"),
    "audit": get("accounts:audit"),
    "users": get("accounts:users"),
    "user_create": get("accounts:user_create"),
    "tokens": get("accounts:tokens"),
    "password_change": get("accounts:password_change"),
    "password_change_done": get("accounts:password_change_done"),
    "login": get("accounts:login"),
    # API
    "api.docs": get("api:docs"),
    "api.openapi": get("api:openapi-json"),
    "api.root": get("api:api-root"),
    "api.units": get("api:list_units", api=True),
    "api.unit": get("api:get_unit", lambda w: "p_le_binh", api=True),
    "api.documents": get("api:list_documents", api=True),
    "api.document.district": get("api:get_document", doc("district"), api=True),
    "api.document.le_binh": get("api:get_document", doc("le_binh"), api=True),
    "api.document.tan_an": get("api:get_document", doc("tan_an"), api=True),
    "api.search": get("api:search_documents", query="q=cong+van", api=True),
    "api.intake": get("api:get_intake", lambda w: w.intake_job, api=True),
    # actions
    "POST intake.preview": Call("documents:intake", INTAKE_DISTRICT_OUT, flow=intake_preview),
    "POST intake.save": Call("documents:intake", INTAKE_DISTRICT_OUT, flow=intake_save),
    "POST intake_job": post("documents:intake_job", lambda w: w.intake_job, data=lambda w, who: {"step": "review"}),
    "POST edit.district": post("documents:edit", doc("district"), data=edit_form("district")),
    "POST edit.le_binh": post("documents:edit", doc("le_binh"), data=edit_form("le_binh")),
    "POST edit.tan_an": post("documents:edit", doc("tan_an"), data=edit_form("tan_an")),
    "POST api.documents": post("api:create_document", data=api_upload, api=True),
    "POST token_create": post("accounts:token_create", data=lambda w, who: {"name": "máy chủ báo cáo"}),
    "POST token_revoke.own": Call("accounts:token_revoke", own_token, method="post", data=NO_DATA),
    "POST token_revoke.other": post("accounts:token_revoke", lambda w: w.tokens["stranger"][0].pk, data=NO_DATA),
    "POST user_create": post("accounts:user_create", data=new_user),
    "POST password_change": post("accounts:password_change", data=lambda w, who: {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}),
    "POST logout": post("accounts:logout", data=NO_DATA),
    # tasks: pages
    "tasks": get("tasks:list"),
    "tasks.assigned": get("tasks:list", query="loai=da-giao"),
    "detail.dispatch": get("documents:detail", doc("dispatch")),
    "propose.dispatch": get("tasks:propose", doc("dispatch")),
    "propose.le_binh": get("tasks:propose", doc("le_binh")),
    "propose.tan_an": get("tasks:propose", doc("tan_an")),
    "task_create": get("tasks:create"),
    "assignment.le_binh": get("tasks:assignment", assignment("le_binh")),
    "assignment.noi_vu": get("tasks:assignment", assignment("noi_vu")),
    "assignment.tan_an": get("tasks:assignment", assignment("tan_an")),
    "chain.le_binh": get("tasks:chain", assignment("le_binh")),
    "chain.tan_an": get("tasks:chain", assignment("tan_an")),
    "doc_tasks.dispatch": get("tasks:document_status", doc("dispatch")),
    "doc_tasks.le_binh": get("tasks:document_status", doc("le_binh")),
    "doc_tasks.tan_an": get("tasks:document_status", doc("tan_an")),
    "work_calendar": get("tasks:calendar"),
    "feed": get("tasks:feed"),
    "feed_ics.valid": get("tasks:feed_ics", lambda w: w.feed_token),
    "feed_ics.bad": get("tasks:feed_ics", lambda w: BAD_FEED),
    "dashboard": get("tasks:dashboard"),
    "dashboard.le_binh": get("tasks:dashboard", query="don_vi=p_le_binh"),
    "dashboard.tan_an": get("tasks:dashboard", query="don_vi=p_tan_an"),
    "notifications": get("tasks:notifications"),
    "notifications_badge": get("tasks:notifications_badge"),
    "notification_settings": get("tasks:notification_settings"),
    # tasks: actions
    "POST propose.dispatch": propose_post("dispatch"),
    "POST propose.le_binh": propose_post("le_binh"),
    "POST propose.tan_an": propose_post("tan_an"),
    # to Sở Nội vụ: only the city (the administrator's unit) reaches it; the others get the form back
    "POST task_create": checked(post("tasks:create", data=lambda w, who: {
        "title": MANUAL_TITLE, "source_note": "Điện thoại của Văn phòng UBND thành phố",
        "lead_units": [w.units["so_noi_vu"].pk], "due_on": ""}), issued(MANUAL_TITLE)),
    "note_file.le_binh": get("tasks:note_file", assignment("le_binh"), note("le_binh")),
    "note_file.tan_an": get("tasks:note_file", assignment("tan_an"), note("tan_an")),
    # Lê Bình's assignment with Tân An's note: the note must belong to the assignment.
    "note_file.le_binh+tan_an_note": get("tasks:note_file", assignment("le_binh"), note("tan_an")),
    "POST note_file.le_binh": post("tasks:note_file", assignment("le_binh"), note("le_binh"), data=NO_DATA),
    "api.task_units": get("api:assignable_units", api=True),
    "POST api.tasks.le_binh": api_task("le_binh"),
    "POST api.tasks.so_noi_vu": api_task("so_noi_vu"),
    "POST ack.le_binh": action("le_binh", "tiep-nhan", Status.ACKNOWLEDGED),
    "POST start.le_binh": action("le_binh", "bat-dau", Status.IN_PROGRESS, prepare=acknowledged("le_binh")),
    "POST progress.le_binh": checked(post("tasks:action", assignment("le_binh"), lambda w: "tien-do",
                                          data=lambda w, who: {"progress": "40", "text": "Đã mời báo cáo viên"}),
                                     lambda w: fresh(w, "le_binh").progress == 40, acknowledged("le_binh")),
    "POST submit.le_binh": action("le_binh", "nop-ket-qua", Status.SUBMITTED,
                                  data=lambda w, who: {"note": "Đã tổ chức hội nghị"}, prepare=acknowledged("le_binh")),
    "POST accept.le_binh": action("le_binh", "nghiem-thu", Status.DONE, prepare=submitted("le_binh")),
    "POST return.le_binh": action("le_binh", "tra-lai", Status.RETURNED,
                                  data=lambda w, who: {"reason": "Thiếu danh sách đại biểu"},
                                  prepare=submitted("le_binh")),
    "POST cancel.le_binh": action("le_binh", "huy", Status.CANCELLED),
    "POST ack.noi_vu": action("noi_vu", "tiep-nhan", Status.ACKNOWLEDGED),
    "POST ack.tan_an": action("tan_an", "tiep-nhan", Status.ACKNOWLEDGED),
    "POST act.unknown": action("le_binh", "khong-co", None),
    "POST work_calendar": checked(post("tasks:calendar", data=lambda w, who: {
        "action": "add", "day": "02/01/2026", "is_working_day": "0", "name": "Nghỉ bù theo thông báo"}),
        lambda w: CalendarDay.objects.filter(day=date(2026, 1, 2)).exists()),
    "POST feed": post("tasks:feed", data=NO_DATA),
    "POST read.ward_clerk": checked(post("tasks:notification_read", lambda w: w.notifications["ward_clerk"].pk,
                                         data=NO_DATA),
                                    lambda w: Notification.objects.get(pk=w.notifications["ward_clerk"].pk).read_at
                                    is not None),
    "POST read.outsider": post("tasks:notification_read", lambda w: w.notifications["outsider"].pk, data=NO_DATA),
    "POST read_all": post("tasks:notifications_read_all", data=NO_DATA),
    "POST notification_settings": post("tasks:notification_settings",
                                       data=lambda w, who: {"email_mode": "ngay"}),
}

# fmt: off
MATRIX = """
#                          dist   dist   noi_vu dist   ward   ward   other  out-   admin  anony-
#                          clerk  spec.  head   leader chair  clerk  ward   sider         mous
overview                   ok     ok     ok     ok     ok     ok     ok     ok     ok     login
inbox_count                ok     ok     ok     ok     ok     ok     ok     ok     ok     login
incoming                   ok     ok     ok     ok     ok     ok     ok     ok     ok     login
outgoing                   ok     ok     ok     ok     ok     ok     ok     ok     ok     login
drafts                     ok     ok     ok     ok     ok     ok     ok     ok     ok     login
incoming.le_binh_register  404    404    404    ok     ok     ok     404    404    ok     login
intake                     ok     ok     403    403    403    ok     ok     ok     ok     login
intake.le_binh_register    404    404    404    403    403    ok     404    404    ok     login
intake_job                 ok     404    404    404    404    404    404    404    404    login
intake_progress            ok     404    404    404    404    404    404    404    404    login
detail.district            ok     404    404    ok     404    404    404    404    ok     login
detail.le_binh             404    404    404    ok     ok     ok     404    404    ok     login
detail.tan_an              404    404    404    404    404    404    404    ok     ok     login
edit.district              ok     404    404    403    404    404    404    404    ok     login
edit.le_binh               404    404    404    403    403    ok     404    404    ok     login
edit.tan_an                404    404    404    404    404    404    404    ok     ok     login
file.district              ok     404    404    ok     404    404    404    404    ok     login
file.le_binh               404    404    404    ok     ok     ok     404    404    ok     login
file.tan_an                404    404    404    404    404    404    404    ok     ok     login
file.le_binh+tan_an_file   404    404    404    404    404    404    404    404    404    login
search                     ok     ok     ok     ok     ok     ok     ok     ok     ok     login
unit_tree                  ok     ok     ok     ok     ok     ok     ok     ok     ok     login
unit.tan_an                ok     ok     ok     ok     ok     ok     ok     ok     ok     login
unit.unknown               404    404    404    404    404    404    404    404    404    login
audit                      403    403    ok     ok     ok     403    403    403    ok     login
users                      403    403    403    403    403    403    403    403    ok     login
user_create                403    403    403    403    403    403    403    403    ok     login
tokens                     ok     ok     ok     ok     ok     ok     ok     ok     ok     login
password_change            ok     ok     ok     ok     ok     ok     ok     ok     ok     login
password_change_done       ok     ok     ok     ok     ok     ok     ok     ok     ok     login
login                      go     go     go     go     go     go     go     go     go     ok
api.docs                   ok     ok     ok     ok     ok     ok     ok     ok     ok     login
api.openapi                ok     ok     ok     ok     ok     ok     ok     ok     ok     ok
api.root                   404    404    404    404    404    404    404    404    404    404
api.units                  ok     ok     ok     ok     ok     ok     ok     ok     ok     401
api.unit                   ok     ok     ok     ok     ok     ok     ok     ok     ok     401
api.documents              ok     ok     ok     ok     ok     ok     ok     ok     ok     401
api.document.district      ok     404    404    ok     404    404    404    404    ok     401
api.document.le_binh       404    404    404    ok     ok     ok     404    404    ok     401
api.document.tan_an        404    404    404    404    404    404    404    ok     ok     401
api.search                 ok     ok     ok     ok     ok     ok     ok     ok     ok     401
api.intake                 ok     404    404    404    404    404    404    404    404    401
POST intake.preview        ok     404    404    403    404    404    404    404    ok     login
POST intake.save           go     404    404    403    404    404    404    404    go     login
POST intake_job            go     404    404    404    404    404    404    404    404    login
POST edit.district         go     404    404    403    404    404    404    404    go     login
POST edit.le_binh          404    404    404    403    403    go     404    404    go     login
POST edit.tan_an           404    404    404    404    404    404    404    go     go     login
POST api.documents         201    404    404    403    404    404    404    404    201    401
POST token_create          ok     ok     ok     ok     ok     ok     ok     ok     ok     login
POST token_revoke.own      go     go     go     go     go     go     go     go     go     login
POST token_revoke.other    404    404    404    404    404    404    404    404    404    login
POST user_create           403    403    403    403    403    403    403    403    go     login
POST password_change       go     go     go     go     go     go     go     go     go     login
POST logout                bye    bye    bye    bye    bye    bye    bye    bye    bye    bye
# tasks: the dispatch (district, sổ đi) is shared with Phòng Nội vụ, whose specialist issued a task
# from it to Lê Bình ("le_binh") and Phòng Nội vụ ("noi_vu"); Tân An gave itself a task ("tan_an").
tasks                      ok     ok     ok     ok     ok     ok     ok     ok     ok     login
tasks.assigned             ok     ok     ok     ok     ok     ok     ok     ok     ok     login
detail.dispatch            ok     ok     ok     ok     ok     ok     404    404    ok     login
propose.dispatch           403    ok     ok     ok     ok     403    404    404    ok     login
propose.le_binh            404    404    404    ok     ok     403    404    404    ok     login
propose.tan_an             404    404    404    404    404    404    404    403    ok     login
task_create                403    ok     ok     ok     ok     403    403    403    ok     login
assignment.le_binh         404    ok     ok     ok     ok     ok     404    404    ok     login
assignment.noi_vu          404    ok     ok     ok     404    404    404    404    ok     login
assignment.tan_an          404    404    404    404    404    404    404    ok     ok     login
chain.le_binh              404    ok     ok     ok     ok     ok     404    404    ok     login
chain.tan_an               404    404    404    404    404    404    404    ok     ok     login
doc_tasks.dispatch         ok     ok     ok     ok     ok     ok     404    404    ok     login
doc_tasks.le_binh          404    404    404    ok     ok     ok     404    404    ok     login
doc_tasks.tan_an           404    404    404    404    404    404    404    ok     ok     login
work_calendar              403    403    403    403    403    403    403    403    ok     login
feed                       ok     ok     ok     ok     ok     ok     ok     ok     ok     login
feed_ics.valid             ok     ok     ok     ok     ok     ok     ok     ok     ok     ok
feed_ics.bad               404    404    404    404    404    404    404    404    404    404
dashboard                  ok     ok     ok     ok     ok     ok     ok     ok     ok     login
dashboard.le_binh          404    ok     404    ok     ok     ok     404    404    ok     login
dashboard.tan_an           404    ok     404    404    404    404    404    ok     ok     login
notifications              ok     ok     ok     ok     ok     ok     ok     ok     ok     login
notifications_badge        ok     ok     ok     ok     ok     ok     ok     ok     ok     login
notification_settings      ok     ok     ok     ok     ok     ok     ok     ok     ok     login
POST propose.dispatch      403    go     go     go     go     403    404    404    go     login
POST propose.le_binh       404    404    404    go     go     403    404    404    go     login
POST propose.tan_an        404    404    404    404    404    404    404    403    go     login
POST task_create           403    ok     ok     ok     ok     403    403    403    go     login
POST task_create.le_binh   403    go     go     go     go     403    403    403    go     login
note_file.le_binh          404    ok     ok     ok     ok     ok     404    404    ok     login
note_file.tan_an           404    404    404    404    404    404    404    ok     ok     login
note_file.le_binh+tan_an_note 404 404    404    404    404    404    404    404    404    login
POST note_file.le_binh     405    405    405    405    405    405    405    405    405    405
api.task_units             403    ok     ok     ok     ok     403    403    403    ok     401
POST api.tasks.le_binh     403    201    201    201    201    403    403    403    201    401
POST api.tasks.so_noi_vu   403    403    403    403    403    403    403    403    201    401
POST ack.le_binh           404    403    403    403    go     403    404    404    go     login
POST start.le_binh         404    403    403    403    go     403    404    404    go     login
POST progress.le_binh      404    403    403    403    go     403    404    404    go     login
POST submit.le_binh        404    403    403    403    go     403    404    404    go     login
POST accept.le_binh        404    go     go     403    403    403    404    404    go     login
POST return.le_binh        404    go     go     403    403    403    404    404    go     login
POST cancel.le_binh        404    go     go     403    403    403    404    404    go     login
POST ack.noi_vu            404    go     go     403    404    404    404    404    go     login
POST ack.tan_an            404    404    404    404    404    404    404    403    go     login
POST act.unknown           404    404    404    404    404    404    404    404    404    login
POST work_calendar         403    403    403    403    403    403    403    403    go     login
POST feed                  go     go     go     go     go     go     go     go     go     login
POST read.ward_clerk       404    404    404    404    404    go     404    404    404    login
POST read.outsider         404    404    404    404    404    404    404    go     404    login
POST read_all              go     go     go     go     go     go     go     go     go     login
POST notification_settings go     go     go     go     go     go     go     go     go     login
"""
# fmt: on
# POST task_create: the form offers only the units the actor's unit reaches (tasks.permissions.assign_scope:
# down, or across within the committee an office works for); Sở Nội vụ is in none of them but the city's,
# so the others get the form back ("ok") and nothing is created; the API answers 403 naming the unit.
# A clerk (văn thư) follows his unit's tasks read-only (POST ack.* 403) unless a task names him.
# note_file.*: the file of a progress note, for whoever may open the assignment (assignment.* rows).
# dashboard.*: a specialist's dashboard is "flat" (tasks.dashboard.scope_for): any unit may be opened,
# but it only counts what the specialist's own unit assigned there (test_task_pages_show_only_visible_tasks).
# api.openapi: the schema (paths and shapes, no data) is public by design (tests/api/test_endpoints.py);
# the Swagger page that shows it needs a login.


def parse_matrix(text: str) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for line in text.strip().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        words = line.split()
        key = " ".join(words[:2]) if words[0] == "POST" else words[0]
        cells = words[2:] if words[0] == "POST" else words[1:]
        assert len(cells) == len(ACTORS), f"row {key!r} has {len(cells)} cells, not {len(ACTORS)}"
        assert key not in table, f"row {key!r} twice"
        table[key] = dict(zip(ACTORS, cells, strict=True))
    return table


TABLE = parse_matrix(MATRIX)
CELL_VALUES = {"ok", "201", "go", "login", "bye", "401", "403", "404", "405"}


# --- running one cell ------------------------------------------------------------------------


class _Undo(Exception):
    """Raised to roll back the savepoint of a cell."""


@dataclass(frozen=True)
class Seen:
    status: int
    to_login: bool
    logged_out: bool
    location: str

    def matches(self, expected: str) -> bool:
        if expected == "ok":
            return self.status == 200
        if expected == "go":
            return self.status == 302 and not self.to_login
        if expected == "login":
            return self.status == 302 and self.to_login
        if expected == "bye":
            return self.status == 302 and self.to_login and self.logged_out
        return self.status == int(expected)

    def __str__(self) -> str:
        if self.status in (301, 302):
            return f"{self.status} → {self.location}" + ("" if self.logged_out else " (still logged in)")
        return str(self.status)


def _to_login(location: str) -> bool:
    return location.startswith(resolve_url(settings.LOGIN_URL))


class Callers:
    """A test client per actor, logged in once; each cell puts its cookies back afterwards
    (the rolled-back savepoint has put the session row back already)."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.sessions: dict[str, Client] = {}

    def client(self, who: str, mode: str) -> tuple[Client, dict[str, str]]:
        if who == ANON:
            return Client(), {}
        if mode == "bearer":
            return Client(), {"Authorization": f"Bearer {self.w.tokens[who][1]}"}
        if who not in self.sessions:
            self.sessions[who] = Client()
            self.sessions[who].force_login(self.w.actors[who])
        return self.sessions[who], {}


def observe(w: World, call: Call, who: str, mode: str, callers: Callers | None = None) -> Seen:
    """One request in a savepoint that is always rolled back."""
    client, headers = (callers or Callers(w)).client(who, mode)
    cookies, client.cookies = client.cookies, copy.copy(client.cookies)  # responses replace morsels, never edit them
    seen: Seen | None = None
    try:
        with transaction.atomic():
            response = call.send(client, w, who, headers)
            location = response.get("Location", "")
            seen = Seen(response.status_code, _to_login(location), "_auth_user_id" not in client.session, location)
            if response.streaming:  # read the file to the end: the test client then closes it
                b"".join(response.streaming_content)  # (response.close() would drop the connection)
            raise _Undo
    except _Undo:
        pass
    client.cookies = cookies
    assert seen is not None
    return seen


def check_rows(w: World, keys: list[str]) -> tuple[list[str], int]:
    problems, cells, callers = [], 0, Callers(w)
    for key in keys:
        call = CALLS[key]
        for mode in ("session", "bearer") if call.api else ("session",):
            for who in ACTORS:
                expected = TABLE[key][who]
                seen = observe(w, call, who, mode, callers)
                cells += 1
                if not seen.matches(expected):
                    label = f"{key} [{mode}]" if call.api else key
                    problems.append(f"  {label:<38} {who:<20} expected {expected:<5} got {seen}")
    return problems, cells


# --- the tests -------------------------------------------------------------------------------


def test_table_is_consistent() -> None:
    """Every row has a request and every request a row; only known cell values."""
    assert set(TABLE) == set(CALLS), (sorted(set(TABLE) - set(CALLS)), sorted(set(CALLS) - set(TABLE)))
    odd = {(k, who, v) for k, row in TABLE.items() for who, v in row.items() if v not in CELL_VALUES}
    assert not odd, odd


def test_permission_matrix(world: World) -> None:
    """The whole table, one report listing every wrong cell."""
    problems, cells = check_rows(world, list(TABLE))
    # The table must have covered what it claims to.
    assert cells >= len(TABLE) * len(ACTORS)
    assert not problems, f"{len(problems)} of {cells} cells are wrong:\n" + "\n".join(problems)


def test_matrix_rows_request_the_route_they_name(world: World) -> None:
    """A row labelled with a route really requests that route's URL."""
    patterns = {name: pattern for name, pattern in named_routes()}
    wrong = []
    for key, call in CALLS.items():
        path = call.path(world, "admin").split("?")[0]
        match = resolve(path)
        if match.route.replace("^", "") != patterns[call.route].replace("^", ""):  # re_path: "^" per level
            wrong.append(f"{key}: {path} is {match.view_name} ({match.route}), not {call.route}")
    assert not wrong, "\n".join(wrong)


REGISTER_LISTS = {"incoming", "outgoing 2020"}


def test_lists_show_exactly_the_documents_the_detail_rows_allow(world: World) -> None:
    """Status codes are not enough: a list, the overview, the search, the API lists and the
    audit log must show a document to exactly the actors whose ``detail.<doc>`` cell is ok."""
    w = world
    link = {k: f'href="{reverse("documents:detail", args=[d.pk])}"' for k, d in w.docs.items()}
    html_lists = {  # name → (path, documents it can hold at all)
        "overview": (reverse("web:home"), set(w.docs)),
        "incoming": (reverse("documents:incoming"), {"le_binh", "tan_an"}),
        "outgoing 2020": (reverse("documents:outgoing") + "?nam=2020", {"district", "dispatch"}),
        "search": (reverse("documents:search") + "?q=noi+dung", set(w.docs)),
    }
    problems = []
    for who in ACTORS[:-1]:
        sees = {k for k in w.docs if TABLE[f"detail.{k}"][who] == "ok"}
        client = Client()
        client.force_login(w.actors[who])
        for name, (path, holds) in html_lists.items():
            page = client.get(path).content.decode()
            shown = {k for k in w.docs if link[k] in page}
            if name in REGISTER_LISTS:  # a register lists its own entries to whom its unit is in scope
                holds = {k for k in holds if can_see_unit(w.actors[who], w.docs[k].register.unit_id)}
            if shown != sees & holds:
                problems.append(f"  {name:<14} {who:<20} shows {sorted(shown)}, expected {sorted(sees & holds)}")
        ids = {d.pk: k for k, d in w.docs.items()}
        for name, path in (("api documents", "/api/documents"), ("api search", "/api/search?q=noi+dung")):
            items = client.get(path).json()["items"]
            shown = {ids[i.get("id") or i["document"]["id"]] for i in items}
            if shown != sees:
                problems.append(f"  {name:<14} {who:<20} shows {sorted(shown)}, expected {sorted(sees)}")
        if TABLE["audit"][who] == "ok":  # registering a document is audited in its owner's unit
            page = client.get(reverse("accounts:audit")).content.decode()  # (not in the units it is shared with)
            shown = {k for k, d in w.docs.items() if d.subject in page}
            owned = {k for k in sees if can_see_unit(w.actors[who], w.docs[k].owner_unit_id)}
            if shown != owned:
                problems.append(f"  {'audit':<14} {who:<20} shows {sorted(shown)}, expected {sorted(owned)}")
        tokens = client.get(reverse("accounts:tokens")).content.decode()
        others = [n for n, (t, _) in w.tokens.items() if n != who and t.prefix in tokens]
        if w.tokens[who][0].prefix not in tokens or others:
            problems.append(f"  {'tokens':<14} {who:<20} own token listed: "
                            f"{w.tokens[who][0].prefix in tokens}; others' listed: {others}")
    assert not problems, "lists disagree with the permission matrix:\n" + "\n".join(problems)


def test_task_pages_show_only_visible_tasks(world: World) -> None:
    """No task list, dashboard, feed or notification page names a task whose assignments the
    actor's ``assignment.<key>`` cells do not allow."""
    w = world
    titles = {key: a.task.title for key, a in w.assignments.items()}
    pages = [reverse("tasks:list"), reverse("tasks:list") + "?loai=da-giao", reverse("tasks:dashboard"),
             reverse("tasks:dashboard") + "?don_vi=p_le_binh", reverse("tasks:dashboard") + "?don_vi=p_tan_an",
             reverse("tasks:dashboard") + "?don_vi=p_tan_an&format=csv", reverse("tasks:notifications")]
    problems, seen_anywhere = [], set()
    for who in ACTORS[:-1]:
        allowed = {titles[k] for k in titles if TABLE[f"assignment.{k}"][who] == "ok"}
        client = Client()
        client.force_login(w.actors[who])
        ics.regenerate_token(w.actors[who])
        feed = reverse("tasks:feed_ics", args=[w.actors[who].task_feed.token])
        for path in [*pages, feed]:
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            shown = {t for t in titles.values() if t in body.decode()}
            seen_anywhere |= shown
            leaked = shown - allowed
            if leaked:
                problems.append(f"  {path:<44} {who:<20} shows {sorted(leaked)}")
    assert seen_anywhere == set(titles.values()), "the pages checked show no task at all: the test proves nothing"
    assert not problems, "task pages show tasks outside the actor's scope:\n" + "\n".join(problems)


def test_ward_clerk_guessing_another_wards_document_gets_404(world: World) -> None:
    """Spelled out: the page, the edit form, the file and the API answer as if the document
    did not exist, and the answers do not leak its subject."""
    guessed = world.docs["tan_an"]
    rows = ["detail.tan_an", "edit.tan_an", "file.tan_an", "api.document.tan_an", "POST edit.tan_an"]
    for key in rows:
        for mode in ("session", "bearer") if CALLS[key].api else ("session",):
            assert str(observe(world, CALLS[key], "ward_clerk", mode)) == "404", key
    client = Client()
    client.force_login(world.actors["ward_clerk"])
    for path in (reverse("documents:detail", args=[guessed.pk]), f"/api/documents/{guessed.pk}"):
        assert guessed.subject not in client.get(path).content.decode()
    guessed.refresh_from_db()
    assert not guessed.subject.endswith("(đã sửa)")


def test_audit_page_after_distributing_a_document(world: World) -> None:
    services.share_document(world.actors["district_clerk"], world.docs["district"], [world.units["le_binh"]])
    client = Client(raise_request_exception=True)
    client.force_login(world.actors["admin"])
    response = client.get(reverse("accounts:audit"))
    assert response.status_code == 200
    assert "Ủy ban nhân dân phường Lê Bình" in response.content.decode()


# --- the coverage guard ----------------------------------------------------------------------


def named_routes() -> list[tuple[str, str]]:
    """(namespaced name, full route pattern) of every URL pattern, through every include."""
    found: list[tuple[str, str]] = []

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(part for part in (namespace, entry.namespace) if part)
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                found.append((name or f"<unnamed {prefix}{entry.pattern}>", prefix + str(entry.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def _is_static(name: str, pattern: str) -> bool:
    static = settings.STATIC_URL.lstrip("/")
    return pattern.startswith(static) or pattern.startswith("^" + static) or name in {"static", "serve"}


def test_every_route_is_in_the_matrix() -> None:
    """A page or API call added without a row in the permission matrix fails here."""
    routes = [(name, pattern) for name, pattern in named_routes()
              if name not in NOT_IN_MATRIX and not _is_static(name, pattern)]
    unnamed = [name for name, _ in routes if name.startswith("<unnamed")]
    assert not unnamed, f"URL patterns need a name to be tracked by the permission matrix: {unnamed}"
    covered = {call.route for call in CALLS.values()}
    missing = sorted({name for name, _ in routes} - covered)
    assert not missing, ("routes without a row in tests/test_permission_matrix.py (add one per actor "
                         f"to MATRIX and CALLS): {missing}")
    stale = sorted(covered - {name for name, _ in named_routes()})
    assert not stale, f"matrix rows name routes that no longer exist: {stale}"


def test_coverage_guard_sees_through_includes() -> None:
    """The walk reaches into every include (namespaced apps and the API's generated routes)."""
    names = {name for name, _ in named_routes()}
    for expected in ("web:home", "accounts:audit", "orgs:detail", "documents:attachment", "api:get_document",
                     "api:create_document", "set_language"):
        assert expected in names
    assert re.fullmatch(r"van-ban/<int:pk>/tep/<int:attachment_pk>/", dict(named_routes())["documents:attachment"])


# --- reports (/bao-cao/) ---------------------------------------------------------------------------
# Phòng Nội vụ (district_specialist) asked wards Lê Bình and Ba Láng for a report (time frozen in April
# 2020: the test units end on 30/06/2025). Lê Bình's report is sent (a file attached first) and the
# request consolidated; Ba Láng's is not started.

from datetime import datetime  # noqa: E402 - the reports block is appended to this module
from zoneinfo import ZoneInfo  # noqa: E402

import time_machine  # noqa: E402

REPORTS_AT = datetime(2020, 4, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def add_reports(w: World) -> None:
    from dieuhanh.reports import services as report_services
    from dieuhanh.reports.consolidation import consolidate
    from tests.reports.factories import GOOD_DATA, make_request, submission_of

    with time_machine.travel(REPORTS_AT, tick=False):
        request = make_request(w.actors["district_specialist"], [w.units["le_binh"], w.units["ba_lang"]])
        le_binh = submission_of(request, w.units["le_binh"])
        attachment = report_services.add_attachment(
            w.actors["ward_chairman"], le_binh, SimpleUploadedFile("so-lieu.txt", b"so lieu", "text/plain"))
        assert report_services.submit(w.actors["ward_chairman"], le_binh, GOOD_DATA) == []
        consolidate(w.actors["district_specialist"], request)
    w.reports = {"request": request, "le_binh": le_binh, "ba_lang": submission_of(request, w.units["ba_lang"]),  # type: ignore[attr-defined]
                 "attachment": attachment, "outline": request.outline_version.outline}


_build_world_without_reports = build_world


def build_world(units: dict[str, Any], actors: dict[str, Any]) -> World:  # noqa: F811 - adds the reports
    w = _build_world_without_reports(units, actors)
    add_reports(w)
    return w


def in_2020(call: Call) -> Call:
    """``call`` sent with the clock in April 2020 (creating requests checks the units are in force)."""
    def flow(client: Client, w: World, who: str, headers: dict[str, str]) -> HttpResponse:
        with time_machine.travel(REPORTS_AT, tick=True):
            return call.send(client, w, who, headers)

    return Call(call.route, call.path, method=call.method, data=call.data, flow=flow)


def report(key: str) -> Callable[[World], int]:
    return lambda w: w.reports[key].pk  # type: ignore[attr-defined]


def report_status(key: str) -> Callable[[World], str]:
    from dieuhanh.reports.models import Submission

    return lambda w: Submission.objects.get(pk=w.reports[key].pk).status  # type: ignore[attr-defined]


def report_form(w: World, who: str) -> dict[str, Any]:
    return {"title": "Báo cáo nhanh quý I năm 2020", "outline_version": w.reports["request"].outline_version_id,  # type: ignore[attr-defined]
            "units": [w.units["le_binh"].pk], "period_kind": "quy", "year": "2020", "number": "1",
            "due_on": "20/04/2020"}


def _report_created(w: World) -> bool:
    from dieuhanh.reports.models import ReportRequest

    return ReportRequest.objects.filter(title="Báo cáo nhanh quý I năm 2020").exists()


def _outline_versions(w: World) -> int:
    return w.reports["outline"].versions.count()  # type: ignore[attr-defined]


def _edited_outline(w: World, who: str) -> dict[str, Any]:
    from tests.reports.factories import SMALL_OUTLINE_YAML

    return {"text": SMALL_OUTLINE_YAML.replace("Hồ sơ tiếp nhận", "Hồ sơ đã tiếp nhận"), "note": "Sửa tên dòng"}


def _consolidated_text(w: World) -> str:
    from dieuhanh.reports.models import Consolidation

    return Consolidation.objects.get(request=w.reports["request"]).texts.get("1.1", "")  # type: ignore[attr-defined]


REPORT_CALLS: dict[str, Call] = {
    "reports": get("reports:list"),
    "report_create": get("reports:create"),
    "report_timeliness": get("reports:timeliness"),
    "report_timeliness.xlsx": get("reports:timeliness", query="format=xlsx"),
    "report": get("reports:detail", report("request")),
    "report_sub.le_binh": get("reports:submission", report("le_binh")),
    "report_sub.ba_lang": get("reports:submission", report("ba_lang")),
    "report_file.le_binh": get("reports:submission_file", report("le_binh"), report("attachment")),
    "report_consolidation": get("reports:consolidation", report("request")),
    "report_docx": get("reports:consolidation_docx", report("request")),
    "report_xlsx": get("reports:consolidation_xlsx", report("request")),
    "report_outlines": get("reports:outlines"),
    "report_outline": get("reports:outline", report("outline")),
    "report_outline_yaml": get("reports:outline_yaml", report("outline")),
    "report_outline_import": get("reports:outline_import"),
    "POST report_create": in_2020(checked(post("reports:create", data=report_form), _report_created)),
    "POST report_sub.ba_lang": checked(
        post("reports:submission", report("ba_lang"), data=lambda w, who: {"s__1.1": "Đang soạn", "hanh_dong": "luu"}),
        lambda w: report_status("ba_lang")(w) == "nhap"),
    "POST report_accept.le_binh": checked(post("reports:submission_accept", report("le_binh"), data=NO_DATA),
                                          lambda w: report_status("le_binh")(w) == "da_duyet"),
    "POST report_return.le_binh": checked(
        post("reports:submission_return", report("le_binh"), data=lambda w, who: {"comment": "Thiếu số liệu"}),
        lambda w: report_status("le_binh")(w) == "tra_lai"),
    "POST report_consolidate": post("reports:consolidate", report("request"), data=NO_DATA),
    "POST report_consolidation": checked(
        post("reports:consolidation", report("request"), data=lambda w, who: {
            "s__1.1": "Đã biên tập", "subject": "Tổng kết cải cách hành chính"}),
        lambda w: _consolidated_text(w) == "Đã biên tập"),
    "POST report_issue": post("reports:consolidation_issue", report("request"), data=NO_DATA),
    "POST report_outline_import": checked(post("reports:outline_import", data=_edited_outline),
                                          lambda w: _outline_versions(w) == 2),
}
CALLS.update(REPORT_CALLS)
# (a tasks row, here because it needs in_2020: the test units in force)
CALLS["POST task_create.le_binh"] = in_2020(checked(post("tasks:create", data=lambda w, who: {
    "title": MANUAL_TITLE, "source_note": "Điện thoại của Văn phòng UBND thành phố",
    "lead_units": [w.units["le_binh"].pk], "due_on": ""}), issued(MANUAL_TITLE)))

# fmt: off
REPORT_MATRIX = """
#                          dist   dist   noi_vu dist   ward   ward   other  out-   admin  anony-
#                          clerk  spec.  head   leader chair  clerk  ward   sider         mous
reports                    ok     ok     ok     ok     ok     ok     ok     ok     ok     login
report_create              403    ok     ok     ok     ok     403    403    403    ok     login
report_timeliness          ok     ok     ok     ok     ok     ok     ok     ok     ok     login
report_timeliness.xlsx     ok     ok     ok     ok     ok     ok     ok     ok     ok     login
report                     404    ok     ok     ok     ok     ok     ok     404    ok     login
report_sub.le_binh         404    ok     ok     ok     ok     ok     404    404    ok     login
report_sub.ba_lang         404    ok     ok     ok     404    404    ok     404    ok     login
report_file.le_binh        404    ok     ok     ok     ok     ok     404    404    ok     login
report_consolidation       404    ok     ok     ok     403    403    403    404    ok     login
report_docx                404    ok     ok     ok     403    403    403    404    ok     login
report_xlsx                404    ok     ok     ok     403    403    403    404    ok     login
report_outlines            ok     ok     ok     ok     ok     ok     ok     ok     ok     login
report_outline             404    ok     ok     ok     ok     ok     ok     404    ok     login
report_outline_yaml        404    ok     ok     ok     ok     ok     ok     404    ok     login
report_outline_import      403    ok     ok     ok     ok     403    403    403    ok     login
POST report_create         403    go     go     go     ok     403    403    403    go     login
POST report_sub.ba_lang    404    403    403    403    404    404    403    404    go     login
POST report_accept.le_binh 404    go     go     403    403    403    404    404    go     login
POST report_return.le_binh 404    go     go     403    403    403    404    404    go     login
POST report_consolidate    404    go     go     403    403    403    403    404    go     login
POST report_consolidation  404    go     go     403    403    403    403    404    go     login
POST report_issue          404    go     go     403    403    403    403    404    go     login
POST report_outline_import 403    go     go     go     ok     403    403    403    go     login
"""
# fmt: on
# POST report_issue: "Phát hành" makes a Báo cáo draft of Phòng Nội vụ (issue 11); the number is drawn later by
# UBND quận's văn thư when issuing the signed draft (drafts rows below).
# reports: a ward sees the request and its own report, never the other wards' nor the consolidation (403);
# the district's clerk works for the district committee, not for Phòng Nội vụ (404). ward_chairman's
# POST report_create is a 200: the form, saying Lê Bình is not among the units it may ask.
# ward_chairman's POST report_outline_import: the form again (the outline's code belongs to Phòng Nội vụ).
TABLE.update(parse_matrix(REPORT_MATRIX))


# --- accounts: password reset, two-factor, an administrator's account page (issue 9) -------------------
# The account page rows act on ward_clerk's account (vanthu.lebinh). Each cell is rolled back, so the
# deactivation of one cell is gone before the next. login_verify with no password step begun: a logged-in
# user goes home, an anonymous visitor back to the login page.


def _account(w: World) -> int:
    return w.actors["ward_clerk"].pk


def _clerk() -> Any:
    from dieuhanh.accounts.models import User

    return User.objects.get(username="vanthu.lebinh")


def _clerk_form(w: World, who: str) -> dict[str, Any]:
    clerk = w.actors["ward_clerk"]
    return {"full_name": clerk.get_full_name(), "email": "", "phone": "0292 3846 001", "unit": clerk.unit_id,
            "role": clerk.role, "position": "Văn thư phường"}


def _deactivated(w: World) -> None:
    User = type(w.actors["ward_clerk"])  # noqa: N806
    User.objects.filter(pk=w.actors["ward_clerk"].pk).update(is_active=False)


ACCOUNT_CALLS: dict[str, Call] = {
    "login_verify": get("accounts:login_verify"),
    "password_reset": get("accounts:password_reset"),
    "password_reset_confirm.bad": get("accounts:password_reset_confirm", lambda w: "MQ", lambda w: "sai-ma"),
    "twofactor": get("accounts:twofactor"),
    "twofactor_enrol": get("accounts:twofactor_enrol"),
    "user_detail.ward_clerk": get("accounts:user_detail", _account),
    "POST password_reset": post("accounts:password_reset", data=lambda w, who: {"email": "khong.co@cantho.gov.vn"}),
    "POST twofactor_codes": post("accounts:twofactor_codes", data=NO_DATA),
    "POST twofactor_disable": post("accounts:twofactor_disable", data=lambda w, who: {"password": PASSWORD}),
    "POST user_detail.ward_clerk": checked(post("accounts:user_detail", _account, data=_clerk_form),
                                          lambda w: _clerk().position == "Văn thư phường"),
    "POST user_deactivate": checked(post("accounts:user_deactivate", _account, data=NO_DATA),
                                    lambda w: not _clerk().is_active),
    "POST user_activate": checked(post("accounts:user_activate", _account, data=NO_DATA),
                                  lambda w: _clerk().is_active, prepare=_deactivated),
    "POST user_password": post("accounts:user_password", _account, data=lambda w, who: {"cach": "tam-thoi"}),
    "POST user_twofactor_reset": post("accounts:user_twofactor_reset", _account, data=NO_DATA),
    "POST user_unlock": post("accounts:user_unlock", _account, data=NO_DATA),
}
CALLS.update(ACCOUNT_CALLS)

# fmt: off
ACCOUNT_MATRIX = """
#                          dist   dist   noi_vu dist   ward   ward   other  out-   admin  anony-
#                          clerk  spec.  head   leader chair  clerk  ward   sider         mous
login_verify               go     go     go     go     go     go     go     go     go     login
password_reset             ok     ok     ok     ok     ok     ok     ok     ok     ok     ok
password_reset_confirm.bad ok     ok     ok     ok     ok     ok     ok     ok     ok     ok
twofactor                  ok     ok     ok     ok     ok     ok     ok     ok     ok     login
twofactor_enrol            ok     ok     ok     ok     ok     ok     ok     ok     ok     login
user_detail.ward_clerk     403    403    403    403    403    403    403    403    ok     login
POST password_reset        ok     ok     ok     ok     ok     ok     ok     ok     ok     ok
POST twofactor_codes       go     go     go     go     go     go     go     go     go     login
POST twofactor_disable     go     go     go     go     go     go     go     go     go     login
POST user_detail.ward_clerk 403   403    403    403    403    403    403    403    go     login
POST user_deactivate       403    403    403    403    403    403    403    403    go     login
POST user_activate         403    403    403    403    403    login  403    403    go     login
POST user_password         403    403    403    403    403    403    403    403    ok     login
POST user_twofactor_reset  403    403    403    403    403    403    403    403    go     login
POST user_unlock           403    403    403    403    403    403    403    403    go     login
"""
# fmt: on
# POST user_activate: the cell first deactivates ward_clerk, whose own session then no longer logs them in.
# POST twofactor_codes / twofactor_disable: nobody here has an authenticator app yet, so both lead back to
# the two-factor page. POST user_password: the temporary password is shown on the page (200), never
# carried in a redirect's message cookie.
TABLE.update(parse_matrix(ACCOUNT_MATRIX))


# --- drafts: drafting, review, signing and issuing (issue 11) ------------------------------------------
# The world's draft: a Công văn of Phòng Nội vụ (by district_specialist) under the chain Trưởng phòng
# (noi_vu_head) → Lãnh đạo UBND quận (district_leader), issued by UBND quận, with a PDF already rendered.
# Rows that need a later state prepare it inside the cell (rolled back afterwards).


def add_drafts(w: World) -> None:
    from dieuhanh.drafts import services as drafts

    leader = w.actors["district_leader"]
    leader.first_name, leader.last_name, leader.position = "Lê Văn", "Cường", "Phó Chủ tịch UBND quận Cái Răng"
    leader.save()
    drafts.set_chain(w.actors["admin"], w.units["noi_vu"], [("Trưởng phòng", w.actors["noi_vu_head"]),
                                                           ("Lãnh đạo UBND quận", leader)])
    draft = drafts.create_draft(w.actors["district_specialist"], "Công văn", {
        "subject": "triển khai thực hiện Kế hoạch số 29/KH-UBND", "body": "Nội dung thử nghiệm./.",
        "recipients": ["Chủ tịch Ủy ban nhân dân các phường"], "distribution": ["Như trên", "Lưu: VT"]})
    draft.pdf.save("ma-tran.pdf", ContentFile(b"%PDF-1.4 du thao"), save=True)
    w.drafts = {"draft": draft}  # type: ignore[attr-defined]


_build_world_without_drafts = build_world


def build_world(units: dict[str, Any], actors: dict[str, Any]) -> World:  # noqa: F811 - adds the drafts
    w = _build_world_without_drafts(units, actors)
    add_drafts(w)
    return w


def _draft(w: World) -> int:
    return w.drafts["draft"].pk  # type: ignore[attr-defined]


def _fresh_draft(w: World) -> Any:
    from dieuhanh.drafts.models import Draft

    return Draft.objects.get(pk=_draft(w))


def _submitted(w: World) -> None:
    from dieuhanh.drafts import services as drafts

    drafts.submit(w.actors["district_specialist"], _fresh_draft(w))


def _at_signer(w: World) -> None:
    from dieuhanh.drafts import services as drafts

    _submitted(w)
    drafts.approve(w.actors["noi_vu_head"], _fresh_draft(w))


def _signed(w: World) -> None:
    from dieuhanh.drafts import services as drafts

    _at_signer(w)
    drafts.sign(w.actors["district_leader"], _fresh_draft(w))


def prepared(call: Call, prepare: Callable[[World], None]) -> Call:
    """``call`` after ``prepare`` (inside the cell's savepoint), answer as it comes."""
    def flow(client: Client, w: World, who: str, headers: dict[str, str]) -> HttpResponse:
        prepare(w)
        return replace_flow(call).send(client, w, who, headers)

    return Call(call.route, call.path, method=call.method, data=call.data, flow=flow)


def _draft_text(w: World, who: str) -> dict[str, Any]:
    return {"subject": "triển khai thực hiện Kế hoạch số 29/KH-UBND (đã sửa)", "body": "Nội dung đã sửa./.",
            "recipients": "Chủ tịch Ủy ban nhân dân các phường", "distribution": "Như trên\nLưu: VT"}


def _chain_form(w: World, who: str) -> dict[str, Any]:
    actor = w.actors.get(who) or w.actors["noi_vu_head"]
    return {"label_0": "Lãnh đạo", "reviewer_0": actor.pk}


DRAFT_CALLS: dict[str, Call] = {
    "draft_list": get("drafts:list"),
    "draft_create": get("drafts:create"),
    "draft_chain": get("drafts:chain"),
    "draft": get("drafts:detail", _draft),
    "draft_version": get("drafts:version", _draft, lambda w: 1),
    "draft_compare": get("drafts:compare", _draft, query="a=1&b=1"),
    "draft_docx": get("drafts:docx", _draft),
    "draft_pdf": get("drafts:pdf", _draft),
    "draft_issue": prepared(get("drafts:issue", _draft), _signed),
    "POST draft_create": checked(post("drafts:create", data=lambda w, who: {
        "doc_type": "Thông báo", "subject": "Lịch tiếp công dân tháng 3"}),
        lambda w: __import__("dieuhanh.drafts.models", fromlist=["Draft"]).Draft.objects.filter(
            subject="Lịch tiếp công dân tháng 3").exists()),
    "POST draft": checked(post("drafts:detail", _draft, data=_draft_text),
                          lambda w: _fresh_draft(w).versions.count() == 2),
    "POST draft_check": post("drafts:check", _draft, data=_draft_text),
    "POST draft_submit": checked(post("drafts:submit", _draft, data=NO_DATA),
                                 lambda w: _fresh_draft(w).state == "cho_duyet"),
    "POST draft_approve": prepared(post("drafts:approve", _draft, data=NO_DATA), _submitted),
    "POST draft_return": prepared(post("drafts:return", _draft, data=lambda w, who: {"comment": "Sửa căn cứ"}),
                                  _submitted),
    "POST draft_sign": prepared(post("drafts:sign", _draft, data=NO_DATA), _at_signer),
    "POST draft_restore": checked(post("drafts:restore", _draft, lambda w: 1, data=NO_DATA),
                                  lambda w: _fresh_draft(w).versions.count() == 2),
    "POST draft_issue": checked(post("drafts:issue", _draft, data=lambda w, who: {
        "issued_on": date.today().strftime("%d/%m/%Y"), "confirm": "on"}),
        lambda w: _fresh_draft(w).state == "da_phat_hanh", prepare=_signed),
    "POST draft_chain": post("drafts:chain", data=_chain_form),
}
CALLS.update(DRAFT_CALLS)

# fmt: off
DRAFT_MATRIX = """
#                          dist   dist   noi_vu dist   ward   ward   other  out-   admin  anony-
#                          clerk  spec.  head   leader chair  clerk  ward   sider         mous
draft_list                 ok     ok     ok     ok     ok     ok     ok     ok     ok     login
draft_create               403    ok     ok     ok     ok     403    403    403    ok     login
draft_chain                ok     ok     ok     ok     ok     ok     ok     ok     ok     login
draft                      404    ok     ok     ok     404    404    404    404    ok     login
draft_version              404    ok     ok     ok     404    404    404    404    ok     login
draft_compare              404    ok     ok     ok     404    404    404    404    ok     login
draft_docx                 404    ok     ok     ok     404    404    404    404    ok     login
draft_pdf                  404    ok     ok     ok     404    404    404    404    ok     login
draft_issue                ok     403    403    403    404    404    404    404    ok     login
POST draft_create          403    go     go     go     go     403    403    403    go     login
POST draft                 404    go     403    403    404    404    404    404    403    login
POST draft_check           404    ok     ok     ok     404    404    404    404    ok     login
POST draft_submit          404    go     403    403    404    404    404    404    403    login
POST draft_approve         404    403    go     go     404    404    404    404    403    login
POST draft_return          404    403    go     go     404    404    404    404    403    login
POST draft_sign            404    403    go     go     404    404    404    404    403    login
POST draft_restore         404    go     403    403    404    404    404    404    403    login
POST draft_issue           go     403    403    403    404    404    404    404    go     login
POST draft_chain           403    403    go     go     go     403    403    403    go     login
"""
# fmt: on
# The draft is seen by its office (district_specialist, noi_vu_head), by its reviewers (district_leader, also
# above it) and administrators; UBND quận's văn thư sees it once signed (draft_issue, POST draft_issue), and only
# the register's right holders (its clerk, an administrator) issue. POST draft_approve / return / sign: a reviewer
# whose turn it is not gets the page back with the reason ("go": district_leader before the head, noi_vu_head
# after approving); anyone outside the chain (the drafter, an administrator) is refused (403). POST draft_chain:
# the leaders set their own unit's chain (each names themselves); clerks and specialists read it.
TABLE.update(parse_matrix(DRAFT_MATRIX))


# --- routing of incoming documents, exchange between units, registers (issue 11) -------------
from dieuhanh.documents import routing as doc_routing  # noqa: E402
from dieuhanh.documents.models import Instruction, Receipt, Route, RouteAction, RouteState  # noqa: E402


def le_binh_receipt(w: World) -> Receipt:
    return Receipt.objects.get(document=w.docs["le_binh"], unit=w.units["le_binh"])


def le_binh_lead_route(w: World) -> None:
    """The administrator's bút phê on Lê Bình's document: Lê Bình itself handles it."""
    doc_routing.instruct(w.actors["admin"], le_binh_receipt(w), text="Phường xử lý", lead=w.units["le_binh"])


def lead_route_path(w: World, who: str) -> str:
    route = Route.objects.filter(document=w.docs["le_binh"], action=RouteAction.LEAD).first()
    return reverse("documents:finish", args=[w.doc("le_binh"), route.pk if route else 999999])


def stranger_target(w: World, who: str) -> dict[str, Any]:
    from dieuhanh.accounts.models import User

    return {"text": "Giao công chức văn hóa xử lý", "inform": [f"p:{User.objects.get(username='nguoi.khac').pk}"]}


def void_path(w: World) -> int:
    return le_binh_receipt(w).pk


ROUTING_CALLS: dict[str, Call] = {
    "inbox": get("documents:inbox"),
    "inbox.done": get("documents:inbox", query="xem=da-xu-ly"),
    "incoming.xlsx": get("documents:incoming", query="xuat=xlsx"),
    "outgoing.print": get("documents:outgoing", query="xuat=in"),
    "POST doc_submit.le_binh": checked(
        post("documents:submit", doc("le_binh"), data=lambda w, who: {"to": w.actors["ward_chairman"].pk}),
        lambda w: Route.objects.filter(document=w.docs["le_binh"], action=RouteAction.SUBMIT).exists()),
    "instruct.le_binh": get("documents:instruct", doc("le_binh")),
    "POST instruct.le_binh": checked(post("documents:instruct", doc("le_binh"), data=stranger_target),
                                     lambda w: Instruction.objects.filter(document=w.docs["le_binh"]).exists()),
    "POST finish.le_binh": checked(
        Call("documents:finish", lead_route_path, method="post", data=lambda w, who: {"note": "Đã xử lý"}),
        lambda w: Route.objects.filter(document=w.docs["le_binh"], action=RouteAction.LEAD,
                                       state=RouteState.DONE).exists(), le_binh_lead_route),
    "deliver.district": get("documents:deliver", doc("district")),
    "POST deliver.district": checked(
        post("documents:deliver", doc("district"), data=lambda w, who: {"units": [w.units["so_noi_vu"].pk]}),
        lambda w: Receipt.objects.filter(document=w.docs["district"], unit=w.units["so_noi_vu"]).exists()),
    "void.le_binh": get("documents:void", lambda w: "den", void_path),
    "POST void.le_binh": checked(post("documents:void", lambda w: "den", void_path,
                                      data=lambda w, who: {"reason": "Vào sổ nhầm"}),
                                 lambda w: le_binh_receipt(w).voided_at is not None),
}
CALLS.update(ROUTING_CALLS)

# fmt: off
ROUTING_MATRIX = """
#                          dist   dist   noi_vu dist   ward   ward   other  out-   admin  anony-
#                          clerk  spec.  head   leader chair  clerk  ward   sider         mous
inbox                      ok     ok     ok     ok     ok     ok     ok     ok     ok     login
inbox.done                 ok     ok     ok     ok     ok     ok     ok     ok     ok     login
incoming.xlsx              ok     ok     ok     ok     ok     ok     ok     ok     ok     login
outgoing.print             ok     ok     ok     ok     ok     ok     ok     ok     ok     login
POST doc_submit.le_binh    404    404    404    403    403    go     404    404    go     login
instruct.le_binh           404    404    404    403    ok     403    404    404    ok     login
POST instruct.le_binh      404    404    404    403    go     403    404    404    go     login
POST finish.le_binh        404    404    404    403    go     403    404    404    go     login
deliver.district           ok     404    404    403    404    404    404    404    ok     login
POST deliver.district      go     404    404    403    404    404    404    404    go     login
void.le_binh               404    404    404    403    403    ok     404    404    ok     login
POST void.le_binh          404    404    404    403    403    go     404    404    go     login
"""
# fmt: on
# doc_submit: only the receiving unit's clerk presents ("trình") its copy; a leader above who can read it
# (district_leader) has no receipt of his own there (403). instruct: the unit's leaders (or whom it was
# presented to); finish: whoever the bút phê addressed (here the ward as a unit: its leaders and
# specialists, not its clerk). deliver: the owner unit's clerk sends; void: the register's own clerk.
TABLE.update(parse_matrix(ROUTING_MATRIX))


# --- evaluation (/danh-gia/, issue 13) ----------------------------------------------------------------
# Phòng Nội vụ (district_specialist) opened a 2020 round for Văn phòng, Lê Bình and Ba Láng (council:
# noi_vu_head), still in self-assessment: Lê Bình's score sheet has a file as evidence. A 2019 round of the
# two wards is published and has a commendation campaign.

EVAL_SELF_DAY = datetime(2021, 1, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def add_evaluation(w: World) -> None:
    from dieuhanh.evaluation import commendation, services, workflow
    from tests.evaluation.factories import open_2020_round

    rnd = open_2020_round(w.units, w.actors)
    le_binh = rnd.participants.get(unit=w.units["le_binh"])
    with time_machine.travel(EVAL_SELF_DAY, tick=False):
        evidence = workflow.add_evidence(w.actors["ward_chairman"], le_binh.scores.get(item="1.3.1"),
                                         upload=SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 ke hoach"))
    old = services.open_round(w.actors["district_specialist"], title="Đánh giá CCHC năm 2019", year=2019,
                              units=[w.units["le_binh"], w.units["ba_lang"]], self_deadline=date(2020, 1, 15),
                              explain_deadline=date(2020, 2, 15), cutoff_on=date(2019, 12, 31),
                              council=[w.actors["noi_vu_head"]])
    for _ in range(4):
        workflow.advance(w.actors["district_specialist"], old)
    campaign = commendation.create_campaign(w.actors["district_specialist"], old, {
        "title": "Khen thưởng CCHC năm 2019", "decided_on": date(2020, 3, 1), "min_index": 0, "min_on_time": 0,
        "quota_collectives": 2, "quota_individuals": 2})
    w.evaluation = {"round": rnd, "old": old, "le_binh": le_binh,  # type: ignore[attr-defined]
                    "ba_lang": rnd.participants.get(unit=w.units["ba_lang"]), "evidence": evidence,
                    "campaign": campaign, "set": campaign.round.participants.first().version.criteria_set}


_build_world_without_evaluation = build_world


def build_world(units: dict[str, Any], actors: dict[str, Any]) -> World:  # noqa: F811 - adds the evaluation
    w = _build_world_without_evaluation(units, actors)
    add_evaluation(w)
    return w


def ev(key: str) -> Callable[[World], int]:
    return lambda w: w.evaluation[key].pk  # type: ignore[attr-defined]


def in_self_assessment(call: Call) -> Call:
    def flow(client: Client, w: World, who: str, headers: dict[str, str]) -> HttpResponse:
        with time_machine.travel(EVAL_SELF_DAY, tick=True):
            return call.send(client, w, who, headers)

    return Call(call.route, call.path, method=call.method, data=call.data, flow=flow)


def _eval_score(w: World) -> Any:
    return w.evaluation["le_binh"].scores.get(item="1.3.1")  # type: ignore[attr-defined]


def _new_round(w: World, who: str) -> dict[str, Any]:
    return {"title": "Đánh giá thử", "year": "2020", "units": [w.units["le_binh"].pk], "self_deadline": "15/01/2021",
            "explain_deadline": "15/02/2021", "cutoff_on": "31/12/2020", "plan_documents": ""}


def _rounds_titled(title: str) -> Callable[[World], bool]:
    from dieuhanh.evaluation.models import Round

    return lambda w: Round.objects.filter(title=title).exists()


def _stage(w: World) -> str:
    from dieuhanh.evaluation.models import Round

    return Round.objects.get(pk=w.evaluation["round"].pk).stage  # type: ignore[attr-defined]


def _survey(w: World, who: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("dieu-tra.csv", b"ma_don_vi,tieu_chi,diem\np_le_binh,8.1.1,25\n")}


def _small_set(w: World, who: str) -> dict[str, Any]:
    from tests.evaluation.test_evaluation import SMALL

    return {"text": SMALL, "note": ""}


def _set_max(w: World, who: str) -> dict[str, Any]:
    return {"max_1.3.1": "2"}


EVALUATION_CALLS: dict[str, Call] = {
    "eval_rounds": get("evaluation:rounds"),
    "eval_round_create": get("evaluation:round_create"),
    "eval_round": get("evaluation:round", ev("round")),
    "eval_ranking": get("evaluation:ranking", ev("round")),
    "eval_sheet.le_binh": get("evaluation:participant", ev("le_binh")),
    "eval_sheet.ba_lang": get("evaluation:participant", ev("ba_lang")),
    "eval_evidence_file": get("evaluation:evidence_file", ev("evidence")),
    "eval_sets": get("evaluation:sets"),
    "eval_set": get("evaluation:set", ev("set")),
    "eval_set_yaml": get("evaluation:set_yaml", ev("set")),
    "eval_set_import": get("evaluation:set_import"),
    "eval_campaign": get("evaluation:campaign", ev("campaign")),
    "eval_campaign_docx": get("evaluation:campaign_output", ev("campaign"), lambda w: "quyet-dinh"),
    "eval_api_round": get("api:get_evaluation_round", ev("round"), api=True),
    "POST eval_round_create": checked(post("evaluation:round_create", data=_new_round),
                                      _rounds_titled("Đánh giá thử")),
    "POST eval_round_advance": checked(post("evaluation:round_advance", ev("round"), data=NO_DATA),
                                       lambda w: _stage(w) == "tham_dinh"),
    "POST eval_round_survey": checked(post("evaluation:round_survey", ev("round"), data=_survey),
                                      lambda w: w.evaluation["le_binh"].scores.get(item="8.1.1").survey == 25),  # type: ignore[attr-defined]
    "POST eval_sheet.le_binh": in_self_assessment(checked(
        post("evaluation:participant", ev("le_binh"), data=lambda w, who: {"hanh_dong": "tu_cham", "points_1.3.1": "2"}),
        lambda w: _eval_score(w).self_points == 2)),
    "POST eval_evidence_add": in_self_assessment(checked(
        post("evaluation:evidence_add", ev("le_binh"), data=lambda w, who: {
            "item": "1.3.1", "file": SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 bien ban")}),
        lambda w: _eval_score(w).evidence.count() == 2)),
    "POST eval_set": checked(post("evaluation:set", ev("set"), data=_set_max),
                             lambda w: w.evaluation["set"].versions.count() == 2),  # type: ignore[attr-defined]
    "POST eval_set_import": checked(post("evaluation:set_import", data=_small_set),
                                    lambda w: w.evaluation["set"].__class__.objects.filter(code="thu-nghiem").exists()),  # type: ignore[attr-defined]
    "POST eval_campaign_create": checked(
        post("evaluation:campaign_create", ev("old"), data=lambda w, who: {
            "title": "Khen thưởng thử", "decided_on": "01/03/2020", "min_index": "0", "min_on_time": "0",
            "quota_collectives": "1", "quota_individuals": "1"}),
        lambda w: w.evaluation["old"].campaigns.filter(title="Khen thưởng thử").exists()),  # type: ignore[attr-defined]
    "POST eval_campaign": checked(
        post("evaluation:campaign", ev("campaign"), data=lambda w, who: {
            "hanh_dong": "de_nghi", "name": "Nguyễn Văn An", "position": "Công chức", "reason": "Có sáng kiến"}),
        lambda w: w.evaluation["campaign"].nominees.filter(name="Nguyễn Văn An").exists()),  # type: ignore[attr-defined]
}
CALLS.update(EVALUATION_CALLS)

# fmt: off
EVALUATION_MATRIX = """
#                          dist   dist   noi_vu dist   ward   ward   other  out-   admin  anony-
#                          clerk  spec.  head   leader chair  clerk  ward   sider         mous
eval_rounds                ok     ok     ok     ok     ok     ok     ok     ok     ok     login
eval_round_create          403    ok     ok     ok     ok     403    403    403    ok     login
eval_round                 404    ok     ok     ok     ok     ok     ok     404    ok     login
eval_ranking               404    ok     ok     ok     403    403    403    404    ok     login
eval_sheet.le_binh         404    ok     ok     ok     ok     ok     404    404    ok     login
eval_sheet.ba_lang         404    ok     ok     ok     404    404    ok     404    ok     login
eval_evidence_file         404    ok     ok     ok     ok     ok     404    404    ok     login
eval_sets                  ok     ok     ok     ok     ok     ok     ok     ok     ok     login
eval_set                   ok     ok     ok     ok     ok     ok     ok     ok     ok     login
eval_set_yaml              ok     ok     ok     ok     ok     ok     ok     ok     ok     login
eval_set_import            403    ok     ok     ok     ok     403    403    403    ok     login
eval_campaign              404    ok     ok     ok     ok     403    403    404    ok     login
eval_campaign_docx         404    ok     ok     ok     403    403    403    404    ok     login
eval_api_round             404    ok     ok     ok     ok     ok     ok     404    ok     401
POST eval_round_create     403    go     go     go     go     403    403    403    go     login
POST eval_round_advance    404    go     go     403    403    403    403    404    go     login
POST eval_round_survey     404    go     go     403    403    403    403    404    go     login
POST eval_sheet.le_binh    404    403    403    403    go     403    404    404    go     login
POST eval_evidence_add     404    403    403    403    go     403    404    404    go     login
POST eval_set              403    403    403    403    403    403    403    403    go     login
POST eval_set_import       403    go     go     go     go     403    403    403    go     login
POST eval_campaign_create  404    go     go     403    403    403    403    404    go     login
POST eval_campaign         404    403    go     go     go     403    403    404    go     login
"""
# fmt: on
# A ward sees its own score sheet, never another ward's, and not the ranking (403) until the round is
# published; the district's clerk works for the district committee, not for Phòng Nội vụ (404).
# The default criteria sets are shared: everyone reads them, only an administrator changes them.
# Heads of units (and committee leaders) propose nominees; Phòng Nội vụ's specialist does not (403).
TABLE.update(parse_matrix(EVALUATION_MATRIX))
