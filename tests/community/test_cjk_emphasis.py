"""Emphasis in Korean works as a Korean writer expects: a particle written
right after the closing ``**`` does not leave the asterisks on the page.

The published cases are the CJK-friendly specification's own
(github.com/tats-u/markdown-cjk-friendly, testcases/ at 7fdf490, MIT, see
cjk_friendly/LICENSE); the expected HTML is its markdown-it plugin's
snapshot. Every CommonMark spec example renders as it does without the
plugin."""

import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from community.cjk_emphasis import cjk_emphasis
from community.markdown import markdown_render

CASES = Path(__file__).parent / "cjk_friendly"

plain = MarkdownIt("commonmark")
friendly = MarkdownIt("commonmark").use(cjk_emphasis)


@pytest.mark.parametrize(
    "name", ["strong", "korean", "pseudo-emoji", "non-bmp", "underscore-cjk-punct"]
)
def test_published_cases_render_as_the_reference_plugin_does(name):
    source = (CASES / f"{name}.md").read_text(encoding="utf-8")
    expected = (CASES / f"{name}.html").read_text(encoding="utf-8")
    assert friendly.render(source).splitlines() == expected.splitlines()


def test_commonmark_examples_are_unchanged():
    examples = json.loads((CASES / "commonmark.json").read_text(encoding="utf-8"))
    changed = [
        e["example"]
        for e in examples
        if friendly.render(e["markdown"]) != plain.render(e["markdown"])
    ]
    assert len(examples) > 600
    assert changed == []


@pytest.mark.parametrize(
    ("source", "bold"),
    [
        ("**증분 매출(홀드아웃 테스트)**로 판단해요.", "증분 매출(홀드아웃 테스트)"),
        ("**CPA 30%↓**로 내려갔어요.", "CPA 30%↓"),
        ("__밑줄 굵게__입니다", "밑줄 굵게"),
        ("결과는 **ROAS 4.2배!**였어요.", "ROAS 4.2배!"),
        ("이건 **「홀드아웃」**이라고 불러요.", "「홀드아웃」"),
        ("**[가이드](https://moim.example/g)**를 보세요.", None),
        (
            "**이 별표는 강조 표시로 인식되지 않고 그대로 표시됩니다(이 괄호 때문에)**"
            "이 문장 때문에.",
            "이 별표는 강조 표시로 인식되지 않고 그대로 표시됩니다(이 괄호 때문에)",
        ),
    ],
    ids=["holdout", "cpa", "underscores", "roas", "brackets", "link", "readme"],
)
def test_korean_emphasis_before_a_particle_renders_bold(source, bold):
    html = markdown_render(source)
    assert "**" not in html and "__" not in html
    assert "<strong>" in html
    if bold:
        assert f"<strong>{bold}</strong>" in html


def test_single_underscores_inside_korean_words_stay_literal():
    # File names and identifiers: the specification keeps "_" as it is.
    assert "<em>" not in markdown_render("회의록_2026_최종.hwp 파일_이름_변경")
    assert "<strong>" not in markdown_render("snake__case__name 과 a__b__c")


def test_a_line_break_between_korean_words_keeps_them_apart():
    html = markdown_render("한국어 문장을\n나눠 써요")
    assert html == "<p>한국어 문장을<br>\n나눠 써요</p>\n"


# Stored before the CJK-friendly rule: the asterisks reached the page.
OLD_BODY = "**증분 매출(홀드아웃 테스트)**로 판단해요. @광고요정님 의견은요?"
OLD_HTML = (
    "<p>**증분 매출(홀드아웃 테스트)**로 판단해요. "
    '<a href="/members/abcd1234/" rel="nofollow ugc noopener">@광고요정</a>'
    "님 의견은요?</p>\n"
)


@pytest.mark.django_db
def test_the_migration_renders_stored_posts_again_keeping_their_mentions(client):
    import importlib

    from django.apps import apps
    from django.urls import reverse

    from community.models import Comment, Thread
    from tests.community.forum_data import (
        comment_make,
        community_make,
        thread_make,
        veteran,
    )

    migration = importlib.import_module(
        "community.migrations.0012_rerender_posts_cjk_emphasis"
    )
    community = community_make()
    author = veteran()
    thread = thread_make(community, author, title="홀드아웃", body=OLD_BODY)
    comment = comment_make(thread, author, body=OLD_BODY)
    Thread.objects.filter(pk=thread.pk).update(body_html=OLD_HTML)
    Comment.objects.filter(pk=comment.pk).update(body_html=OLD_HTML)
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    # Read once, so the comment fragment sits in the cache as it was.
    assert client.get(url).text.count("**증분") == 2

    migration.rerender(apps, None)

    for model, pk in ((Thread, thread.pk), (Comment, comment.pk)):
        html = model.objects.get(pk=pk).body_html
        assert html.startswith("<p><strong>증분 매출(홀드아웃 테스트)</strong>로")
        assert '<a href="/members/abcd1234/"' in html and ">@광고요정</a>님" in html
    page = client.get(url).text
    assert "**증분" not in page
    assert page.count("<strong>증분 매출(홀드아웃 테스트)</strong>로") == 2


@pytest.mark.django_db
def test_the_migration_renders_gathering_descriptions_again():
    import importlib

    from django.apps import apps

    from events.models import Gathering
    from tests.events.factories import gathering_make

    migration = importlib.import_module(
        "events.migrations.0013_rerender_descriptions_cjk_emphasis"
    )
    gathering = gathering_make(description="**CPA 30%↓**로 줄인 이야기")
    Gathering.objects.filter(pk=gathering.pk).update(
        description_html="<p>**CPA 30%↓**로 줄인 이야기</p>\n"
    )

    migration.rerender(apps, None)

    assert Gathering.objects.get(pk=gathering.pk).description_html == (
        "<p><strong>CPA 30%↓</strong>로 줄인 이야기</p>\n"
    )
