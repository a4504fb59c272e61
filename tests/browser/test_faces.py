"""A member's picture, as a person sets it: chosen on the picture page,
shown on their profile and in the navigation (served by the site itself in
the embedded setup), and sent back without the GPS position the photo
carried."""

from io import BytesIO

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from community.models import Member
from tests import pictures
from tests.browser.steps import korean
from tests.factories import member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]


def test_a_member_sets_a_picture_that_shows_without_its_location(
    member_browser, screenshot, tmp_path
):
    me = member_create(real_name="김사진")
    page = member_browser(me).new_page()
    screenshot.page = page
    page.goto(reverse("member_detail", args=[me.public_id]))
    # Before: the drawn picture, the initials of the name.
    expect(page.locator(".profile-avatar svg.avatar")).to_contain_text("사진")

    photo = tmp_path / "trip.jpg"
    photo.write_bytes(pictures.jpeg_with_gps())
    page.get_by_role("link", name=korean("Change picture")).click()
    page.get_by_label(korean("Picture")).set_input_files(photo)
    page.get_by_role("button", name=korean("Save")).click()

    picture = page.locator(".profile-avatar img.avatar")
    expect(picture).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.avatar')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    expect(page.locator("header .nav-me img.avatar")).to_have_count(1)
    screenshot("profile-with-picture")
    served = page.context.request.get(picture.get_attribute("src"))
    assert served.ok and served.headers["content-type"] == "image/webp"
    image = Image.open(BytesIO(served.body()))
    assert not image.getexif() and b"GPS" not in served.body()
    assert Member.objects.get(pk=me.pk).avatar
