"""The organisers' applicant list (events/applicant_list.py, the manage page
and its CSV and .xlsx exports): search, status filter (stored and derived
statuses), order, members who share a name told apart, columns that are
empty before the draw left out, bad parameters set aside in words, every
exported cell neutralised, and the query counts at two sizes."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from community.fields import SEOUL
from community.models import DisplayMode, Member, Membership
from community.roles import ExperienceBand, JobRole
from events.applicant_list import ApplicantQuery, applicant_query_parse
from events.models import Application, ApplicationStatus, JoinPass
from events.selectors.analytics import _application_counts
from events.selectors.organise import organise_application_page
from events.services.applications import application_submit
from events.services.lifecycle import gathering_advance
from tests.events.test_organise_views import (
    VIDEO_LINK,
    _join,
    close_now,
    gathering_new,
)
from tests.events.test_organise_views import world as world  # the fixture
from tests.factories import member_create

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+1", "-2+3", "@SUM(A1)", "+cmd|' /C calc'!A0", "＝1+2", "\t=x"]


def _apply(world, gathering, member=None, **fields):
    member = member or member_create()
    _join(world["community"], member)
    return application_submit(member=member, gathering=gathering, **fields)


def _manage(client, world, gathering, **params):
    client.force_login(world["moderator"])
    url = reverse("gathering_manage", args=[world["community"].slug, gathering.pk])
    return client.get(url, params)


def _export(client, world, gathering, fmt, **params):
    client.force_login(world["moderator"])
    name = f"gathering_applicants_{fmt}"
    url = reverse(name, args=[world["community"].slug, gathering.pk])
    return client.get(url, params)


def _shown(response) -> list[str]:
    return [a.public_id for a in response.context["page"].object_list]


def _drawn(world, n=6, capacity=2, **extra):
    """A lottery with ``n`` applications, drawn: ``capacity`` won."""
    gathering = gathering_new(
        world["community"], world["moderator"], capacity=capacity, **extra
    )
    applications = [_apply(world, gathering) for _ in range(n)]
    close_now(gathering)
    gathering_advance(gathering_id=gathering.pk)
    return gathering, applications


# --- Parsing -----------------------------------------------------------------------


def test_a_query_without_parameters_is_every_application_by_rank():
    query, problems = applicant_query_parse({})
    assert query == ApplicantQuery()
    assert problems == []


def test_an_unknown_status_and_order_are_set_aside_with_a_reason():
    query, problems = applicant_query_parse({"status": "vip", "sort": "salary"})
    assert query == ApplicantQuery()
    assert len(problems) == 2


def test_a_long_search_is_cut_and_said():
    query, problems = applicant_query_parse({"q": "가" * 80})
    assert query.search == "가" * 50
    assert problems


# --- Filters -----------------------------------------------------------------------


def test_the_status_filter_keeps_stored_statuses(client, world):
    gathering, _ = _drawn(world)
    response = _manage(client, world, gathering, status="waitlisted")
    kept = Application.objects.filter(
        gathering=gathering, status=ApplicationStatus.WAITLISTED
    )
    assert sorted(_shown(response)) == sorted(a.public_id for a in kept)
    assert len(kept) == 4


def test_won_is_what_the_draw_record_says_even_after_a_decline(client, world):
    gathering, _ = _drawn(world)
    winners = list(Application.objects.filter(gathering=gathering, status="offered"))
    # A winner who declined still won the draw.
    Application.objects.filter(pk=winners[0].pk).update(
        status=ApplicationStatus.DECLINED
    )
    response = _manage(client, world, gathering, status="won")
    assert sorted(_shown(response)) == sorted(a.public_id for a in winners)
    chips = {value: count for value, _label, count in response.context["chips"]}
    assert chips["won"] == 2 and chips["declined"] == 1


def test_attended_and_no_show_come_from_check_in(client, world):
    gathering, applications = _drawn(world)
    Application.objects.filter(pk__in=[a.pk for a in applications[:2]]).update(
        status=ApplicationStatus.CONFIRMED
    )
    Application.objects.filter(pk=applications[0].pk).update(attended=True)
    Application.objects.filter(pk=applications[1].pk).update(attended=False)
    attended = _manage(client, world, gathering, status="attended")
    no_show = _manage(client, world, gathering, status="no_show")
    assert _shown(attended) == [applications[0].public_id]
    assert _shown(no_show) == [applications[1].public_id]


def test_attended_is_what_analytics_counts_for_an_unsaved_check_in(client, world):
    """An online gathering whose check-in list was never saved: every
    confirmed seat counts as attended, as analytics and the survey count it
    (events.access.attendee_filter); a seat that is not confirmed never
    does, even with a recorded attendance."""
    gathering, applications = _drawn(world)
    confirmed = applications[:2]
    Application.objects.filter(pk__in=[a.pk for a in confirmed]).update(
        status=ApplicationStatus.CONFIRMED
    )
    # Recorded for a seat that was then given up: neither attended nor absent.
    Application.objects.filter(pk=applications[2].pk).update(
        status=ApplicationStatus.WITHDRAWN, attended=False
    )
    assert gathering.format == "online"
    attended = _manage(client, world, gathering, status="attended")
    no_show = _manage(client, world, gathering, status="no_show")
    assert sorted(_shown(attended)) == sorted(a.public_id for a in confirmed)
    assert _shown(no_show) == []
    chips = {value: count for value, _label, count in attended.context["chips"]}
    assert (chips["attended"], chips["no_show"]) == (2, 0)
    counts = _application_counts(community=world["community"], ids=[gathering.pk])
    counted = counts[gathering.pk]
    assert (counted["attended"], counted["confirmed"] - counted["attended"]) == (2, 0)


def test_no_won_chip_before_a_draw(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    _apply(world, gathering)
    response = _manage(client, world, gathering)
    values = [value for value, _label, _count in response.context["chips"]]
    assert "won" not in values
    assert {"applied", "confirmed", "waitlisted", "attended", "no_show"} <= set(values)


# --- Search ------------------------------------------------------------------------


def test_search_finds_the_name_shown_and_the_nickname(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    real = _apply(world, gathering, member_create(real_name="김민준"))
    nick = _apply(
        world,
        gathering,
        member_create(
            real_name="이서연", nickname="그로스해커", display_mode="nickname"
        ),
    )
    _apply(world, gathering, member_create(real_name="박지호"))
    assert _shown(_manage(client, world, gathering, q="민준")) == [real.public_id]
    assert _shown(_manage(client, world, gathering, q="그로스")) == [nick.public_id]


def test_search_does_not_reveal_the_real_name_behind_a_nickname(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    _apply(
        world,
        gathering,
        member_create(
            real_name="이서연", nickname="그로스해커", display_mode="nickname"
        ),
    )
    assert _shown(_manage(client, world, gathering, q="서연")) == []


def test_search_in_a_real_names_community_does_not_find_a_nickname(client, world):
    """A real-names community shows 김민준, never "coolcat": searching the
    nickname there would tie it to the real name."""
    world["community"].requires_real_names = True
    world["community"].save(update_fields=["requires_real_names"])
    gathering = gathering_new(world["community"], world["moderator"])
    applied = _apply(
        world,
        gathering,
        member_create(real_name="김민준", nickname="coolcat", display_mode="nickname"),
    )
    assert _shown(_manage(client, world, gathering, q="coolcat")) == []
    assert _shown(_manage(client, world, gathering, q="민준")) == [applied.public_id]


def test_search_finds_the_public_id_of_the_draw_record(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    applications = [_apply(world, gathering) for _ in range(3)]
    target = applications[1]
    response = _manage(client, world, gathering, q=target.public_id.upper())
    assert _shown(response) == [target.public_id]


def test_search_and_filter_work_together_and_say_how_many(client, world):
    gathering, applications = _drawn(world)
    first = Application.objects.get(pk=applications[0].pk)
    response = _manage(
        client, world, gathering, q=first.member.real_name, status=first.status
    )
    assert _shown(response) == [applications[0].public_id]
    assert response.context["query"].is_narrowed


def test_no_match_says_so(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    _apply(world, gathering)
    response = _manage(client, world, gathering, q="아무도없음")
    assert response.status_code == 200
    assert "No application matches" in response.content.decode() or (
        "맞는 신청이 없어요" in response.content.decode()
    )


# --- Order -------------------------------------------------------------------------


def test_sort_by_date_both_ways(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    applications = [_apply(world, gathering) for _ in range(3)]
    now = timezone.now()
    for index, application in enumerate(applications):
        Application.objects.filter(pk=application.pk).update(
            created_at=now - timedelta(hours=3 - index)
        )
    ids = [a.public_id for a in applications]
    assert _shown(_manage(client, world, gathering, sort="date")) == ids
    assert _shown(_manage(client, world, gathering, sort="recent")) == ids[::-1]


def test_sort_by_status_puts_offers_before_the_waitlist(client, world):
    gathering, _ = _drawn(world)
    response = _manage(client, world, gathering, sort="status")
    statuses = [a.status for a in response.context["page"].object_list]
    assert statuses == sorted(
        statuses, key=lambda s: (s != "offered", s != "waitlisted")
    )


def test_sort_by_rank_is_the_draw_order(client, world):
    gathering, _ = _drawn(world)
    ranks = [
        a.rank for a in _manage(client, world, gathering).context["page"].object_list
    ]
    assert ranks == sorted(ranks)


# --- Bad input ---------------------------------------------------------------------


def test_bad_parameters_are_set_aside_in_korean(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    _apply(world, gathering)
    response = _manage(client, world, gathering, status="<b>x</b>", sort="1;drop")
    html = response.content.decode()
    assert response.status_code == 200
    assert "그런 상태는 없어요" in html
    assert "<b>x</b>" not in html
    assert len(_shown(response)) == 1


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "status", "sort", "page"]),
        st.text(max_size=80) | st.sampled_from(["won", "no_show", "-1", "9" * 30]),
    )
)
def test_hostile_parameters_never_fail_the_page_or_the_exports(client, world, params):
    gathering = world.setdefault(
        "hostile_gathering",
        gathering_new(world["community"], world["moderator"]),
    )
    params = {key: value.replace("\x00", "") for key, value in params.items()}
    assert _manage(client, world, gathering, **params).status_code == 200
    assert _export(client, world, gathering, "csv", **params).status_code == 200


# --- Telling members apart ---------------------------------------------------------


def test_members_who_share_a_name_are_told_apart(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    same = [
        member_create(
            real_name="김민준", role=JobRole.DATA, experience=ExperienceBand.JUNIOR
        ),
        member_create(
            real_name="김민준",
            role=JobRole.SALES,
            experience=ExperienceBand.VETERAN,
            work_email="minjun@corp.example",
            work_email_verified_at=timezone.now(),
        ),
    ]
    applications = [_apply(world, gathering, member) for member in same]
    client.force_login(world["moderator"])
    html = _manage(client, world, gathering, q="김민준", HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    for application in applications:
        row = html.split(f'id="application-{application.pk}"')[1].split("</tr>")[0]
        assert application.public_id in row
        member = application.member
        assert str(member.get_role_display()) in row
        assert str(member.get_experience_display()) in row
    second = html.split(f'id="application-{applications[1].pk}"')[1]
    assert "badge-verified" in second.split("</tr>")[0]
    first = html.split(f'id="application-{applications[0].pk}"')[1]
    assert "badge-verified" not in first.split("</tr>")[0]


def test_columns_that_are_empty_before_the_draw_are_left_out(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    _apply(world, gathering)
    counts = _manage(client, world, gathering).context["counts"]
    assert counts.ranked == counts.weighted == counts.waitlisted == 0
    assert counts.join_passes == 0
    html = _manage(client, world, gathering).content.decode()
    table = html.split("<thead>")[1].split("</thead>")[0]
    assert 'data-label="' not in table
    for column in ("순위", "가중치", "대기 순번", "참가 링크"):
        assert column not in table


def test_rank_and_waitlist_columns_show_after_the_draw(client, world):
    gathering, _ = _drawn(world)
    html = _manage(client, world, gathering).content.decode()
    table = html.split("<thead>")[1].split("</thead>")[0]
    for column in ("순위", "가중치", "대기 순번"):
        assert column in table


# --- Exports -----------------------------------------------------------------------


def _hostile(world):
    """A gathering whose question and every applicant's answers are
    formulas."""
    gathering = gathering_new(
        world["community"],
        world["moderator"],
        motivation_prompt='=HYPERLINK("http://evil.example")',
        questions=["@질문", "연차는?"],
    )
    applications = [
        _apply(
            world,
            gathering,
            member_create(nickname=f"=닉{i}", display_mode=DisplayMode.NICKNAME),
            motivation=formula,
            answers=[formula, "5년"],
        )
        for i, formula in enumerate(FORMULAS)
    ]
    return gathering, applications


def _csv_cells(response) -> list[list[str]]:
    body = response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_is_an_attachment_named_for_the_gathering_and_the_day(client, world):
    gathering, _ = _hostile(world)
    response = _export(client, world, gathering, "csv")
    today = timezone.localdate(timezone=SEOUL).strftime("%Y%m%d")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"moim-gathering-{gathering.pk}-applicants-{today}.csv" in disposition
    assert response["Content-Type"].startswith("text/csv")


def test_every_csv_cell_is_neutralised(client, world):
    gathering, applications = _hostile(world)
    rows = _csv_cells(_export(client, world, gathering, "csv"))
    assert len(rows) == 1 + len(applications)
    cells = [cell for row in rows for cell in row]
    triggers = set("=+-@\t\r\n＝＋－＠")
    assert not [c for c in cells if c[:1] in triggers or c.lstrip()[:1] in triggers]
    assert "'=1+1" in cells and "'@질문" in cells
    assert VIDEO_LINK not in response_text(rows)


def response_text(rows) -> str:
    return "\n".join(",".join(row) for row in rows)


def test_the_xlsx_has_no_formula_and_marks_formula_text(client, world):
    gathering, applications = _hostile(world)
    response = _export(client, world, gathering, "xlsx")
    assert response["Content-Disposition"].startswith("attachment")
    assert (
        f"moim-gathering-{gathering.pk}-applicants-"
        in (response["Content-Disposition"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert sheet.max_row == 1 + len(applications)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = [cell for cell in cells if isinstance(cell.value, str)]
    for cell in texts:
        if cell.value[:1] in "=+-@\t＝＋－＠" or cell.value.lstrip()[:1] in "=+-@":
            assert cell.quotePrefix, cell.coordinate
    assert "=1+1" in [cell.value for cell in texts]
    assert VIDEO_LINK not in [cell.value for cell in texts]


def test_the_exports_follow_the_search_and_the_filter(client, world):
    gathering, applications = _drawn(world, questions=["연차는?"])
    waitlisted = Application.objects.filter(gathering=gathering, status="waitlisted")
    rows = _csv_cells(_export(client, world, gathering, "csv", status="waitlisted"))
    assert sorted(row[0] for row in rows[1:]) == sorted(a.public_id for a in waitlisted)
    target = applications[0]
    sheet = load_workbook(
        io.BytesIO(
            _export(client, world, gathering, "xlsx", q=target.public_id).content
        )
    ).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        target.public_id
    ]


def test_the_export_has_the_answers_under_their_questions(client, world):
    gathering = gathering_new(
        world["community"],
        world["moderator"],
        motivation_prompt="왜요?",
        questions=["연차는?", "관심사는?"],
    )
    application = _apply(
        world, gathering, motivation="배우고 싶어요", answers=["5년", "GA4"]
    )
    header, row = _csv_cells(_export(client, world, gathering, "csv"))
    assert header[-3:] == ["왜요?", "연차는?", "관심사는?"]
    assert row[-3:] == ["배우고 싶어요", "5년", "GA4"]
    assert row[0] == application.public_id


def test_the_exports_refuse_a_post(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    client.force_login(world["moderator"])
    url = reverse(
        "gathering_applicants_csv", args=[world["community"].slug, gathering.pk]
    )
    assert client.post(url).status_code == 405


def test_a_plain_member_cannot_export(client, world):
    gathering = gathering_new(world["community"], world["moderator"])
    client.force_login(world["member"])
    url = reverse(
        "gathering_applicants_xlsx", args=[world["community"].slug, gathering.pk]
    )
    assert client.get(url).status_code == 403


# --- Query counts ------------------------------------------------------------------


def _many(world, n):
    """A drawn lottery with ``n`` applications (members made in bulk), a
    join pass per winner and some check-ins."""
    gathering = gathering_new(
        world["community"], world["moderator"], capacity=10, questions=["연차는?"]
    )
    start = Member.objects.count()
    members = Member.objects.bulk_create(
        [
            Member(
                email=f"bulk{start + i}@example.org",
                real_name=f"김민준{i % 7}",
                role=JobRole.DATA,
                experience=ExperienceBand.MID,
            )
            for i in range(n)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(community=world["community"], member=m) for m in members]
    )
    Application.objects.bulk_create(
        [Application(gathering=gathering, member=m, answers=["3년"]) for m in members]
    )
    close_now(gathering)
    gathering_advance(gathering_id=gathering.pk)
    offered = Application.objects.filter(gathering=gathering, status="offered")
    JoinPass.objects.bulk_create([JoinPass(application=a) for a in offered])
    Application.objects.filter(pk__in=offered.values("pk")[:3]).update(attended=True)
    return gathering


MANAGE_QUERIES = 13
EXPORT_QUERIES = 8


@pytest.mark.parametrize("n", [20, 2000])
@pytest.mark.parametrize(
    "params", [{}, {"q": "민준3", "status": "won", "sort": "status"}]
)
def test_manage_queries_do_not_grow_with_applicants(
    client, world, django_assert_max_num_queries, n, params
):
    gathering = _many(world, n)
    client.force_login(world["moderator"])
    url = reverse("gathering_manage", args=[world["community"].slug, gathering.pk])
    with django_assert_max_num_queries(MANAGE_QUERIES):
        response = client.get(url, params)
    assert response.status_code == 200
    if not params:
        assert len(response.context["page"].object_list) == min(n, 100)


@pytest.mark.parametrize("n", [20, 2000])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_applicants(
    client, world, django_assert_max_num_queries, n, fmt
):
    gathering = _many(world, n)
    client.force_login(world["moderator"])
    url = reverse(
        f"gathering_applicants_{fmt}", args=[world["community"].slug, gathering.pk]
    )
    with django_assert_max_num_queries(EXPORT_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    if fmt == "csv":
        assert len(_csv_cells(response)) == n + 1


def test_the_page_selector_takes_two_queries(world, django_assert_num_queries):
    gathering = _many(world, 30)
    with django_assert_num_queries(2):
        page = organise_application_page(
            gathering=gathering, query=ApplicantQuery(search="민준")
        )
    assert page.paginator.count == 30
