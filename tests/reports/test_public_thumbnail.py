import io

import pytest
from django.test import Client
from PIL import Image

from apps.reports.models import Report
from tests.open311.factories import file_report, jpeg_upload

pytestmark = pytest.mark.django_db


def test_public_thumbnail_is_the_re_encoded_first_photo(client: Client) -> None:
    report = file_report(photos=[jpeg_upload((640, 480)), jpeg_upload((300, 300), "b.jpg")])
    response = client.get(f"/api/v1/reports/{report.public_id}/public-thumbnail")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=60"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert image.format == "JPEG"
    assert image.size == (320, 240)  # the first photo, as a thumbnail
    assert not image.getexif()


@pytest.mark.parametrize("case", ["private", "merged", "no_photo", "unknown"])
def test_public_thumbnail_is_404_unless_public_with_a_photo(client: Client, case: str) -> None:
    if case == "private":
        public_id = file_report(is_public=False, photos=[jpeg_upload()]).public_id
    elif case == "merged":
        parent = file_report()
        child = file_report(photos=[jpeg_upload()])
        Report.objects.filter(pk=child.pk).update(parent=parent)
        public_id = child.public_id
    elif case == "no_photo":
        public_id = file_report().public_id
    else:
        public_id = "LW-ZZZZZZ"
    response = client.get(f"/api/v1/reports/{public_id}/public-thumbnail", HTTP_ACCEPT="image/jpeg")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
