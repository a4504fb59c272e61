"""Sharing a gathering: the Open Graph and Twitter card tags a link-preview
crawler reads (gathering and community pages; a community closed to
non-members says nothing but its name), the preview of a page before
publishing, the publish confirmation and the share page with its QR code."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Membership, MembershipRole
from events.models import Gathering, GatheringStatus
from events.services import gatherings
from events.sharing import gathering_url, qr_svg
from tests.factories import community_create, member_create

pytestmark = pytest.mark.django_db

VIDEO_LINK = "https://zoom.example/j/share-marker-5521"
CRAWLERS = ["facebookexternalhit/1.1", "kakaotalk-scrap/1.0", "Slackbot-LinkExpanding"]
SITE_URL = "https://moim.example"


class HeadTags(HTMLParser):
    """What a link-preview crawler keeps of a page: the <meta> tags in
    <head> (property= or name=, to their content) and the <title>."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.title = ""
        self._in_head = False
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "title" and self._in_head:
            self._in_title = True
        elif tag == "meta" and self._in_head:
            key = attrs.get("property") or attrs.get("name")
            if key and "content" in attrs:
                self.meta.setdefault(key, []).append(attrs["content"])

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def social(self) -> dict[str, list[str]]:
        return {
            key: values
            for key, values in self.meta.items()
            if key.startswith(("og:", "twitter:", "event:")) or key == "description"
        }


def crawl(client, url: str, agent: str, language: str = "ko") -> HeadTags:
    """``url`` fetched as an anonymous crawler would, and its head parsed."""
    client.logout()
    response = client.get(
        url, headers={"user-agent": agent, "accept-language": language}
    )
    parser = HeadTags()
    parser.feed(response.content.decode())
    parser.status = response.status_code
    parser.body = response.content.decode()
    return parser


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL


def _gathering(community, organiser, *, publish=True, **extra) -> Gathering:
    now = timezone.now()
    # An evening in Seoul, whatever the hour the suite runs at: the page
    # writes the time as Koreans do (오후 7:30).
    start = timezone.localtime(now + timedelta(days=10)).replace(
        hour=19, minute=30, second=0, microsecond=0
    )
    fields = {
        "title": "퍼포먼스 마케터끼리 만나요",
        "description": (
            "**ROAS**를 같이 봐요.\n\n- 매체 믹스\n- <b>어트리뷰션</b> & 예산"
        ),
        "format": "online",
        "video_link": VIDEO_LINK,
        "venue": "",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "capacity": 10,
        "selection_mode": "lottery",
        "applications_open_at": now - timedelta(hours=1),
        "applications_close_at": now + timedelta(days=5),
        "motivation_prompt": "",
        "questions": [],
        **extra,
    }
    gathering = gatherings.gathering_create(
        community=community, created_by=organiser, **fields
    )
    if publish:
        gathering = gatherings.gathering_publish(gathering=gathering)
    return gathering


@pytest.fixture
def world():
    public = community_create(
        name="퍼포먼스 마케팅", description="광고 효율을 숫자로 이야기해요."
    )
    closed = community_create(
        name="비공개 모임방",
        description="SECRET-DESCRIPTION",
        public_read=False,
        member_count=321,
    )
    organiser = member_create()
    for community in (public, closed):
        Membership.objects.create(
            community=community, member=organiser, role=MembershipRole.MODERATOR
        )
    return {
        "public": public,
        "closed": closed,
        "organiser": organiser,
        "gathering": _gathering(public, organiser),
        "closed_gathering": _gathering(
            closed, organiser, title="SECRET-GATHERING-TITLE"
        ),
    }


def _detail(gathering) -> str:
    return reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])


# --- Open Graph and Twitter cards -----------------------------------------------


@pytest.mark.parametrize("agent", CRAWLERS)
def test_a_public_gatherings_page_gives_a_crawler_its_card(client, world, agent):
    gathering = world["gathering"]
    tags = crawl(client, _detail(gathering), agent)

    assert tags.status == 200
    assert tags.one("og:title") == gathering.title
    assert tags.one("og:site_name") == "모임"
    assert tags.one("og:type") == "event"
    assert tags.one("og:locale") == "ko_KR"
    assert tags.one("og:locale:alternate") == "en_US"
    assert tags.one("og:url") == SITE_URL + _detail(gathering)
    # The address of the file, with its content's digest (config.static_files).
    assert re.fullmatch(
        re.escape(SITE_URL + "/static/img/share-default.png") + r"\?v=[0-9a-f]{12}",
        tags.one("og:image"),
    )
    assert tags.one("og:image:width") == "1200"
    assert tags.one("twitter:card") == "summary_large_image"
    assert tags.one("twitter:title") == gathering.title
    start = timezone.localtime(gathering.starts_at)
    assert tags.one("event:start_time") == start.isoformat()


def test_a_gatherings_description_is_plain_text_with_its_time_and_place(client, world):
    tags = crawl(client, _detail(world["gathering"]), CRAWLERS[1])
    description = tags.one("og:description")

    # The time as Koreans write it, then the place, then the text.
    assert description.startswith(
        timezone.localtime(world["gathering"].starts_at).strftime("%-m월 %-d일")
    )
    assert "오후 " in description and "온라인" in description
    assert "ROAS를 같이 봐요. 매체 믹스 어트리뷰션 & 예산" in description
    assert "**" not in description and "<" not in description
    assert tags.one("twitter:description") == description
    assert tags.one("description") == description
    assert tags.one("twitter:label1") == "일시"


def test_a_long_description_is_trimmed(client, world):
    gathering = _gathering(
        world["public"], world["organiser"], description="가나다라 " * 200
    )
    description = crawl(client, _detail(gathering), CRAWLERS[0]).one("og:description")
    assert len(description) <= 200
    assert description.endswith("…")


def test_an_english_reader_gets_the_english_locale(client, world):
    tags = crawl(client, _detail(world["gathering"]), CRAWLERS[0], language="en")
    assert tags.one("og:locale") == "en_US"
    assert tags.one("og:site_name") == "Moim"
    assert "Online" in tags.one("og:description")


def test_an_offline_gathering_names_its_venue(client, world):
    gathering = _gathering(
        world["public"],
        world["organiser"],
        format="offline",
        video_link="",
        venue="서울 강남구 테헤란로 1",
    )
    description = crawl(client, _detail(gathering), CRAWLERS[0]).one("og:description")
    assert "서울 강남구 테헤란로 1" in description


def test_a_cover_is_the_cards_picture(client, world, settings):
    gathering = world["gathering"]
    Gathering.objects.filter(pk=gathering.pk).update(cover="abc123")
    image = crawl(client, _detail(gathering), CRAWLERS[0]).one("og:image")
    assert image.startswith(SITE_URL + settings.MEDIA_URL)
    assert "abc123" in image


def test_a_title_with_markup_is_escaped_in_the_tags(client, world):
    gathering = _gathering(
        world["public"], world["organiser"], title='"><script>alert(1)</script>'
    )
    tags = crawl(client, _detail(gathering), CRAWLERS[0])
    assert tags.one("og:title") == '"><script>alert(1)</script>'
    assert "<script>alert(1)" not in tags.body


def test_the_video_link_is_in_no_tag(client, world):
    for agent in CRAWLERS:
        tags = crawl(client, _detail(world["gathering"]), agent)
        assert VIDEO_LINK not in tags.body


def test_a_public_communitys_page_gives_its_card(client, world):
    community = world["public"]
    url = reverse("community_detail", args=[community.slug])
    tags = crawl(client, url, CRAWLERS[1])

    assert tags.one("og:title") == "퍼포먼스 마케팅"
    assert tags.one("og:description") == "광고 효율을 숫자로 이야기해요."
    assert tags.one("og:url") == SITE_URL + url
    assert tags.one("og:type") == "website"
    assert tags.one("og:image").startswith(SITE_URL + "/static/")
    assert tags.one("twitter:card") == "summary_large_image"


# What a closed community's tags may say: its name, the site's, the kind of
# page, the language and the card's kind.
GENERIC = {
    "og:title",
    "twitter:title",
    "og:site_name",
    "og:type",
    "og:locale",
    "og:locale:alternate",
    "twitter:card",
}


def _says_no_more_than_the_name(tags: HeadTags, community) -> None:
    social = tags.social()
    assert set(social) <= GENERIC, set(social) - GENERIC
    assert social["og:title"] == [community.name]
    assert social["twitter:title"] == [community.name]
    assert social["twitter:card"] == ["summary"]
    values = " ".join(v for values in social.values() for v in values)
    for secret in ("SECRET", "321", "share-default", "http"):
        assert secret not in values
    assert "SECRET" not in tags.title


@pytest.mark.parametrize("agent", CRAWLERS)
def test_a_closed_communitys_page_says_nothing_but_its_name(client, world, agent):
    community = world["closed"]
    tags = crawl(client, reverse("community_detail", args=[community.slug]), agent)
    _says_no_more_than_the_name(tags, community)


@pytest.mark.parametrize("agent", CRAWLERS)
def test_a_gathering_of_a_closed_community_says_nothing_but_its_name(
    client, world, agent
):
    gathering = world["closed_gathering"]
    tags = crawl(client, _detail(gathering), agent)
    _says_no_more_than_the_name(tags, world["closed"])
    assert "SECRET-GATHERING-TITLE" not in tags.body


def test_a_member_of_a_closed_community_is_given_the_name_only_too(client, world):
    """The card never depends on who asks: a member's page says the name."""
    client.force_login(world["organiser"])
    community = world["closed"]
    response = client.get(reverse("community_detail", args=[community.slug]))
    tags = HeadTags()
    tags.feed(response.content.decode())
    assert response.status_code == 200
    _says_no_more_than_the_name(tags, community)


# --- Preview, publish, share ----------------------------------------------------


def _organise(name: str, gathering) -> str:
    return reverse(name, args=[gathering.community.slug, gathering.pk])


def test_the_preview_shows_a_draft_as_members_will_see_it(client, world):
    draft = _gathering(world["public"], world["organiser"], publish=False)
    client.force_login(world["organiser"])
    response = client.get(
        _organise("gathering_preview", draft), HTTP_ACCEPT_LANGUAGE="ko"
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert 'id="preview-banner"' in html and "미리보기" in html
    assert draft.title in html
    # Nothing to press, nothing of the organisers', never the video link.
    assert reverse("gathering_apply", args=[draft.community.slug, draft.pk]) not in html
    assert 'data-action="preview"' in html
    assert "disabled" in html
    assert 'id="organise-title"' not in html
    assert VIDEO_LINK not in html
    assert '<meta name="robots" content="noindex">' in html


def test_publish_asks_first_and_says_what_publishing_does(client, world):
    draft = _gathering(world["public"], world["organiser"], publish=False)
    client.force_login(world["organiser"])
    response = client.get(
        _organise("gathering_publish", draft), headers={"accept-language": "en"}
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "Publish this gathering?" in html
    assert "the terms of the draw are fixed and published" in html
    assert "numbered amendment" in html
    assert 'id="publish-confirm"' in html
    draft.refresh_from_db()
    assert draft.published_at is None


def test_publishing_lands_on_the_share_page(client, world):
    draft = _gathering(world["public"], world["organiser"], publish=False)
    client.force_login(world["organiser"])
    response = client.post(_organise("gathering_publish", draft))

    assert response.status_code == 302
    assert response.url == _organise("gathering_share", draft)
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert draft.status == GatheringStatus.OPEN


def test_the_confirmation_of_a_published_gathering_offers_the_share_page(client, world):
    gathering = world["gathering"]
    client.force_login(world["organiser"])
    html = client.get(
        _organise("gathering_publish", gathering), headers={"accept-language": "en"}
    ).content.decode()
    assert "Only a draft can be published." in html
    assert 'id="publish-confirm"' not in html
    assert _organise("gathering_share", gathering) in html


def test_the_share_page_has_the_link_the_qr_code_and_the_card(client, world):
    gathering = world["gathering"]
    client.force_login(world["organiser"])
    html = client.get(_organise("gathering_share", gathering)).content.decode()

    assert f'value="{SITE_URL}{_detail(gathering)}"' in html
    assert "data-share-copy" in html and "data-share-native" in html
    assert f'src="{_organise("gathering_qr", gathering)}"' in html
    assert 'id="link-card"' in html
    assert VIDEO_LINK not in html


def test_the_share_page_of_a_closed_communitys_gathering_says_what_a_link_shows(
    client, world
):
    gathering = world["closed_gathering"]
    client.force_login(world["organiser"])
    html = client.get(
        _organise("gathering_share", gathering), headers={"accept-language": "en"}
    ).content.decode()
    assert "a shared link shows nothing but the community's name" in html


def test_the_qr_code_is_an_svg_of_the_pages_address(client, world):
    gathering = world["gathering"]
    client.force_login(world["organiser"])
    response = client.get(_organise("gathering_qr", gathering))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.decode() == qr_svg(gathering_url(gathering))
    assert response.content.startswith(b"<svg")
    download = client.get(_organise("gathering_qr", gathering) + "?download")
    assert "attachment" in download["Content-Disposition"]


def test_the_qr_code_encodes_the_address(world):
    """segno's own matrix of the address is the one drawn."""
    import segno

    url = gathering_url(world["gathering"])
    assert url == SITE_URL + _detail(world["gathering"])
    code = segno.make_qr(url, error="m")
    svg = qr_svg(url)
    side = code.symbol_size(scale=1, border=4)[0]
    assert f'viewBox="0 0 {side} {side}"' in svg
