"""One-line text (titles, names, places, short answers) refuses line breaks
and control characters at every form, the site's and the admin's
(community.fields.OneLineField and validate_one_line): such text goes on one
line of a calendar, a mail subject or a CSV cell, where a line break starts
something else."""

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from events.forms import ApplicationForm
from events.models import Gathering
from tests.factories import member_create
from tests.test_forms_fuzz import PROJECT, _exposed_forms

# (A line break at either end is trimmed away like a space.)
BROKEN = [
    "첫 줄\r\n둘째 줄",
    "가\r나",
    "탭\t문자",
    "벨\x07",
    "분리\u2028자",
    "가\x85나",
]
NOT_ONE_LINE = (forms.Textarea, forms.PasswordInput, forms.HiddenInput)


def _one_line_fields(form_fields: dict) -> dict:
    return {
        name: field
        for name, field in form_fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field.widget, NOT_ONE_LINE)
    }


def _refuses_every_broken_value(field: forms.Field) -> list[str]:
    accepted = []
    for value in BROKEN:
        try:
            field.clean(value)
        except ValidationError:
            continue
        accepted.append(value)
    return accepted


def _fields(cls: type) -> dict:
    """The fields of a form as the site shows it (allauth's sign-up form
    drops the username it does not use), or its declared ones when it needs
    more than a request to be made."""
    try:
        return cls().fields
    except (TypeError, KeyError):  # KeyError: allauth's pop a keyword
        return cls.base_fields


def _site_forms() -> dict[str, dict]:
    """The project's forms, and allauth's through which the site stores a
    member's text (allauth's others take codes and passwords, stored
    nowhere as typed)."""
    found = {
        f"{cls.__module__}.{cls.__qualname__}": _fields(cls)
        for cls in _exposed_forms()
        if cls.__module__.split(".")[0] in PROJECT
    }
    # Fields made per gathering: one per short question.
    gathering = Gathering(questions=["회사에서 맡은 일은?"])
    found["ApplicationForm(questions)"] = ApplicationForm(gathering=gathering).fields
    return found


def _admin_forms() -> dict[str, dict]:
    request = RequestFactory().get("/")
    request.user = member_create(is_staff=True, is_superuser=True)
    found = {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT:
            continue
        found[f"admin {model.__name__}"] = model_admin.get_form(request).base_fields
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            found[f"admin {model.__name__} {inline}"] = formset.form.base_fields
    return found


@pytest.mark.django_db
def test_every_one_line_field_of_the_sites_forms_refuses_line_breaks():
    accepted = {
        f"{form}.{name}": values
        for form, fields in _site_forms().items()
        for name, field in _one_line_fields(fields).items()
        if (values := _refuses_every_broken_value(field))
    }
    assert not accepted, f"one-line fields that take control characters: {accepted}"


@pytest.mark.django_db
def test_every_one_line_field_of_the_admins_forms_refuses_line_breaks():
    forms_found = _admin_forms()
    accepted = {
        f"{form}.{name}": values
        for form, fields in forms_found.items()
        for name, field in _one_line_fields(fields).items()
        if (values := _refuses_every_broken_value(field))
    }
    assert "admin Gathering" in forms_found
    assert not accepted, f"admin fields that take control characters: {accepted}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ko", "줄바꿈이나 제어 문자 없이 한 줄로 써 주세요."),
        ("en", "Please use one line, without line breaks or control characters."),
    ],
)
def test_a_title_with_a_line_break_is_refused_in_words(language, words):
    from tests.events.factories import gathering_make

    gathering = gathering_make()
    client = Client(headers={"accept-language": language})
    client.force_login(gathering.created_by)
    url = reverse("gathering_edit", args=[gathering.community.slug, gathering.pk])
    page = client.get(url)
    data = {
        name: value
        for name, value in page.context["form"].initial.items()
        if value is not None
    }

    response = client.post(url, {**data, "title": "새 제목\r\nX-INJECTED:1"})

    assert response.status_code in (200, 400)
    assert words in response.content.decode()
    gathering.refresh_from_db()
    assert "\n" not in gathering.title
