"""Avatars and covers (community/images.py, community/templatetags/faces.py):
what a member uploads is checked by its content, bounded in bytes and
pixels, and stored only as new WebP files without metadata; a refused
upload answers 400 in the member's language and changes nothing."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.template import Context, Template
from django.urls import reverse
from PIL import Image

from community.errors import CommunityError
from community.images import (
    AVATAR,
    COVER,
    image_decode,
    image_store,
    rendition_name,
)
from community.models import Member
from community.services.members import member_avatar_set
from community.templatetags.faces import COMPACT, PALETTE, initials
from events.models import Gathering
from tests import pictures
from tests.events.factories import gathering_make
from tests.factories import client_sign_in, community_create, member_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads_of_this_test(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def stored_files() -> list[Path]:
    root = Path(default_storage.location)
    return sorted(p for p in root.rglob("*") if p.is_file())


def rendition(key: str, width: int) -> bytes:
    with default_storage.open(rendition_name(key, width)) as f:
        return f.read()


# --- The check and the re-encoding ------------------------------------------------


def test_a_jpeg_with_a_gps_position_comes_out_without_it():
    original = pictures.jpeg_with_gps()
    assert Image.open(BytesIO(original)).getexif().get_ifd(0x8825)  # it has one
    key = image_store(upload=pictures.upload(original, "trip.jpg"), kind=AVATAR)
    for width in AVATAR.widths:
        data = rendition(key, width)
        image = Image.open(BytesIO(data))
        assert image.format == "WEBP"
        assert image.size == (width, width)
        assert not image.getexif()
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert pictures.CAMERA_SERIAL.encode() not in data
        assert b"Exif" not in data and b"GPS" not in data


def test_the_orientation_is_applied_before_it_is_dropped():
    # 800 × 600 with orientation 6 stands upright as 600 × 800: a 2:1 cover
    # cut from it is then a band of a tall picture, not of a wide one; the
    # picture is uniform, so what is checked is that nothing failed and the
    # shape is the cover's.
    key = image_store(upload=pictures.upload(pictures.jpeg_with_gps()), kind=COVER)
    assert Image.open(BytesIO(rendition(key, 640))).size == (640, 320)


def test_a_large_jpeg_is_decoded_only_as_large_as_its_renditions_need():
    """Decoding a 40-megapixel photo in full takes about a second of CPU;
    the JPEG decoder scales by 1/2 to 1/8 almost for free, as long as both
    sides keep what the largest rendition needs (whichever way the photo is
    turned afterwards)."""
    upload = pictures.upload(pictures.photo((4000, 3000), fmt="JPEG"), "big.jpg")

    decoded = image_decode(upload, at_least=256)

    assert decoded.size == (500, 375)
    assert image_decode(upload, at_least=1280).size == (2000, 1500)
    png = pictures.upload(pictures.photo((1200, 900)), "big.png")
    assert image_decode(png, at_least=256).size == (1200, 900)


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = pictures.png_bomb()
    assert len(bomb) < 1024 * 1024  # small on the wire, 144 megapixels inside
    with pytest.raises(CommunityError) as refused:
        image_store(upload=pictures.upload(bomb), kind=AVATAR)
    assert refused.value.code == "image_too_many_pixels"
    assert stored_files() == []


def test_a_picture_above_the_pixel_limit_is_refused(settings):
    settings.MOIM_IMAGE_MAX_PIXELS = 100 * 100
    with pytest.raises(CommunityError) as refused:
        image_store(upload=pictures.upload(pictures.photo((101, 100))), kind=AVATAR)
    assert refused.value.code == "image_too_many_pixels"


def test_a_file_above_the_byte_limit_is_refused(settings):
    settings.MOIM_IMAGE_MAX_BYTES = 1000
    with pytest.raises(CommunityError) as refused:
        image_store(upload=pictures.upload(pictures.photo()), kind=AVATAR)
    assert refused.value.code == "image_too_large"


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (pictures.HTML, "photo.jpg", "image/jpeg"),
        (pictures.HTML, "photo.png", "image/png"),
        (b"%PDF-1.7\n" + b"0" * 100, "photo.jpg", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "photo.png", "image/png"),
        (b"", "empty.png", "image/png"),
    ],
    ids=["html-named-jpg", "html-named-png", "pdf", "truncated-png", "empty"],
)
def test_what_only_pretends_to_be_a_picture_is_refused(data, name, content_type):
    with pytest.raises(CommunityError) as refused:
        image_store(upload=pictures.upload(data, name, content_type), kind=AVATAR)
    assert refused.value.code == "image_unreadable"
    assert stored_files() == []


def test_a_replaced_picture_leaves_no_files_behind(django_capture_on_commit_callbacks):
    member = member_create()
    with django_capture_on_commit_callbacks(execute=True):
        member_avatar_set(member=member, upload=pictures.upload(pictures.photo()))
    first = member.avatar
    with django_capture_on_commit_callbacks(execute=True):
        member_avatar_set(
            member=member, upload=pictures.upload(pictures.photo(colour=(0, 0, 0)))
        )
    assert member.avatar != first
    names = {p.name for p in stored_files()}
    assert names == {rendition_name(member.avatar, w).split("/")[-1] for w in (96, 256)}


# --- The pages --------------------------------------------------------------------


def test_a_member_uploads_a_picture_and_their_profile_shows_it(client):
    member = member_create()
    client_sign_in(client, member)
    response = client.post(
        reverse("avatar_edit"),
        {"picture": pictures.upload(pictures.jpeg_with_gps(), "me.jpg")},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar.startswith("avatars/")
    page = client.get(reverse("member_detail", args=[member.public_id]))
    assert rendition_name(member.avatar, 256) in page.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [("ko", "읽을 수 있는 사진이 아니에요"), ("en", "not a picture we can read")],
)
def test_html_named_jpg_answers_400_in_the_members_language(client, language, words):
    member = member_create()
    client_sign_in(client, member)
    response = client.post(
        reverse("avatar_edit"),
        {"picture": pictures.upload(pictures.HTML, "me.jpg", "image/jpeg")},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    member.refresh_from_db()
    assert member.avatar == ""
    assert stored_files() == []


def test_a_bomb_posted_to_the_cover_page_answers_400_and_changes_nothing(client):
    gathering = gathering_make()
    host = gathering.hosts.first()
    client_sign_in(client, host)
    response = client.post(
        reverse("gathering_cover", args=[gathering.community.slug, gathering.pk]),
        {"picture": pictures.upload(pictures.png_bomb(), "cover.png")},
    )
    assert response.status_code == 400
    assert Gathering.objects.get(pk=gathering.pk).cover == ""
    assert stored_files() == []


def test_an_organiser_sets_a_cover_that_the_gathering_page_shows(client):
    gathering = gathering_make()
    client_sign_in(client, gathering.hosts.first())
    args = [gathering.community.slug, gathering.pk]
    response = client.post(
        reverse("gathering_cover", args=args),
        {"picture": pictures.upload(pictures.photo((1600, 900)), "cover.png")},
    )
    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.cover.startswith("covers/")
    page = client.get(reverse("gathering_detail", args=args))
    assert rendition_name(gathering.cover, 1280) in page.content.decode()


def test_pictures_are_limited_per_member_across_avatars_and_covers(client):
    """Decoding a large photo costs over a second of CPU: ten pictures an
    hour per member ("10/h/user"), refused ones included."""
    gathering = gathering_make()
    host = gathering.hosts.first()
    client_sign_in(client, host)
    cover = reverse("gathering_cover", args=[gathering.community.slug, gathering.pk])
    for _ in range(5):
        client.post(cover, {"picture": pictures.upload(pictures.HTML, "x.jpg")})
        client.post(
            reverse("avatar_edit"),
            {"picture": pictures.upload(pictures.photo(), "me.png")},
        )

    response = client.post(
        reverse("avatar_edit"),
        {"picture": pictures.upload(pictures.photo(), "me.png")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "many pictures in the last hour" in response.content.decode()
    response = client.post(
        cover, {"picture": pictures.upload(pictures.photo((1600, 900)), "c.png")}
    )
    assert response.status_code == 400
    assert Gathering.objects.get(pk=gathering.pk).cover == ""
    # Going back to the drawn default is not an upload.
    response = client.post(reverse("avatar_edit"), {"remove": "on"})
    assert response.status_code == 302


def test_a_member_who_does_not_organise_cannot_set_a_cover(client):
    gathering = gathering_make()
    client_sign_in(client, member_create())
    response = client.post(
        reverse("gathering_cover", args=[gathering.community.slug, gathering.pk]),
        {"picture": pictures.upload(pictures.photo(), "cover.png")},
    )
    assert response.status_code in {403, 404}
    assert Gathering.objects.get(pk=gathering.pk).cover == ""
    assert stored_files() == []


# --- The drawn defaults -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("김민준", "민준"),
        ("이솔", "이솔"),
        ("Jane Doe", "JD"),
        ("jane", "J"),
        ("", "?"),
    ],
)
def test_a_drawn_avatar_shows_the_initials_of_the_name(name, shown):
    assert initials(name) == shown


def test_a_korean_nickname_shows_its_start_not_a_given_name():
    assert initials("그로스해커", is_real_name=False) == "그로"


def test_a_drawn_avatar_keeps_its_colour_and_shows_the_name_the_page_shows():
    community = community_create(requires_real_names=True)
    member = member_create(real_name="박서연", nickname="별빛", display_mode="nickname")
    template = Template("{% load faces %}{% avatar member 40 community %}")
    html = template.render(Context({"member": member, "community": community}))
    assert "서연" in html and "별빛" not in html
    assert html == template.render(Context({"member": member, "community": community}))
    assert any(colour in html for colour in PALETTE)
    assert 'aria-hidden="true"' in html


def test_a_comments_drawn_avatar_is_the_same_face_in_a_few_bytes():
    """At a comment's size (faces.COMPACT) the drawn picture is a letter
    box that static/css/moim.css paints: the same letters, the same colour
    (its class holds the palette's colour), as decorative as the SVG."""
    member = member_create(real_name="박서연", nickname="별빛", display_mode="nickname")
    drawn = {
        size: Template("{% load faces %}{% avatar member " + str(size) + " %}").render(
            Context({"member": member})
        )
        for size in (24, 28)
    }
    colour = re.search(r'fill="(#[0-9a-f]{6})"', drawn[24]).group(1)
    assert drawn[28] == (
        f'<span class="avatar s28 c{PALETTE.index(colour)} two" aria-hidden="true">'
        "별빛</span>"
    )
    assert ">별빛</text>" in drawn[24]
    css = (settings.BASE_DIR / "static" / "css" / "moim.css").read_text()
    for n, hex_colour in enumerate(PALETTE):
        assert f"span.avatar.c{n} {{ background: {hex_colour}; }}" in css
    for size in COMPACT:
        assert f"span.avatar.s{size} {{" in css


def test_the_nav_thread_and_comments_show_pictures_without_a_query_per_author(
    client, django_assert_max_num_queries
):
    from tests.community.forum_data import comment_make, community_make, thread_make

    community = community_make()
    reader = member_create()
    member_avatar_set(member=reader, upload=pictures.upload(pictures.photo()))
    thread = thread_make(community, reader)
    url = reverse("thread_detail", args=[community.slug, thread.pk])

    def comments_by_pictured_authors(count: int) -> list[Member]:
        authors = [member_create() for _ in range(count)]
        for author in authors:
            member_avatar_set(member=author, upload=pictures.upload(pictures.photo()))
            comment_make(thread, author)
        return authors

    authors = comments_by_pictured_authors(2)
    client_sign_in(client, reader)
    html = client.get(url).content.decode()
    for member in [reader, *authors]:
        assert rendition_name(member.avatar, 96) in html
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    comments_by_pictured_authors(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
