"""Staff pages for gatherings: the draw seed never shows, the video link
stays out of lists and searches, and a published draw cannot be edited."""

from django.urls import reverse

from events.services.lifecycle import gathering_advance
from tests.events.factories import MARKER_LINK, gathering_make
from tests.factories import member_create


def staff_client(client):
    client.force_login(member_create(is_staff=True, is_superuser=True))
    return client


def test_the_gathering_list_and_search_never_show_the_video_link(client, db):
    gathering = gathering_make()
    client = staff_client(client)
    listing = client.get(reverse("admin:events_gathering_changelist"))
    search = client.get(
        reverse("admin:events_gathering_changelist"), {"q": gathering.title}
    )
    assert listing.status_code == search.status_code == 200
    assert MARKER_LINK not in listing.text
    assert MARKER_LINK not in search.text


def test_the_change_form_never_shows_the_draw_seed(client, db):
    gathering = gathering_make()
    page = staff_client(client).get(
        reverse("admin:events_gathering_change", args=[gathering.pk])
    )
    assert page.status_code == 200
    assert gathering.draw_seed not in page.text
    assert gathering.draw_commitment in page.text


def test_a_published_draw_cannot_be_changed_in_the_admin(client, db):
    gathering = gathering_make()
    gathering = gathering_advance(
        gathering_id=gathering.pk, now=gathering.applications_close_at
    )
    client = staff_client(client)
    draw_url = reverse("admin:events_draw_change", args=[gathering.draw.pk])
    response = client.post(draw_url, {"algorithm": "tampered"})
    gathering.draw.refresh_from_db()
    assert response.status_code == 403
    assert gathering.draw.algorithm != "tampered"
