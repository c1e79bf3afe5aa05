"""The PDF renderer reads the app's own static files and data: URIs, and nothing else: no
web address, no file of the server's disk, no way out of the static folder."""

from __future__ import annotations

from urllib.request import OpenerDirector

import pytest
from django.urls import reverse
from weasyprint.urls import URLFetcher

from decisions.pdf import STATIC_ORIGIN, StaticOnlyFetcher, render_html_pdf
from decisions.services import EDITABLE_FIELDS, decision_update
from tests.security.probe import Requester

OUTSIDE = [
    "http://127.0.0.1:9/pixel.png",
    "https://attacker.example/pixel.png",
    "file:///etc/passwd",
    "ftp://attacker.example/file",
    "//attacker.example/pixel.png",
    f"{STATIC_ORIGIN}../../../etc/passwd",
    f"{STATIC_ORIGIN}css/../../advisor/settings.py",
    f"{STATIC_ORIGIN}/etc/passwd",
    f"{STATIC_ORIGIN}%2e%2e/advisor/settings.py",
    f"{STATIC_ORIGIN}admin/css/base.css",  # an app's static file, not the project's
    "https://crossroads.static.attacker.example/css/pdf.css",
    "https://crossroads.static@attacker.example/css/pdf.css",
]
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Every address the renderer asked urllib to open."""
    seen: list[str] = []
    real_open = OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        if isinstance(self, URLFetcher):
            seen.append(url if isinstance(url, str) else url.full_url)
        return real_open(self, url, *args, **kwargs)

    # WeasyPrint's fetcher opens every address through urllib's opener.
    monkeypatch.setattr(OpenerDirector, "open", spy)
    return seen


@pytest.mark.parametrize("url", OUTSIDE)
def test_the_fetcher_refuses_anything_but_the_projects_static_files(url, opened):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError, match="Only the app's static files"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert opened == []


def test_the_fetcher_serves_a_static_file_and_a_data_uri(opened):
    """The control: what the PDF needs still comes through."""
    fetcher = StaticOnlyFetcher()
    stylesheet = fetcher.fetch(f"{STATIC_ORIGIN}css/pdf.css")
    assert stylesheet.headers["Content-Type"] == "text/css"
    fetcher.fetch(PIXEL)
    assert fetcher.refused == []
    assert opened == [PIXEL]


def test_a_page_pointing_outside_renders_without_fetching_it(opened):
    references = "".join(
        f'<img src="{url}"><link rel="stylesheet" href="{url}">'
        f'<p style="background: url({url})">x</p>'
        for url in OUTSIDE
    )
    html = f"<html><head><style>@import url({OUTSIDE[1]});</style></head><body>{references}"
    fetcher = StaticOnlyFetcher()

    pdf = render_html_pdf(html + "</body></html>", fetcher)

    assert pdf.startswith(b"%PDF")
    assert set(fetcher.refused) >= {url for url in OUTSIDE if "://" in url}
    assert [url for url in opened if not url.startswith("data:")] == []


@pytest.mark.django_db
def test_a_records_pdf_fetches_nothing_its_text_points_at(world, opened):
    decision = world.proposed_a
    decision.refresh_from_db()
    attack = "\n\n".join(f'![image]({url}) [link]({url}) <img src="{url}">' for url in OUTSIDE)
    data = {field: getattr(decision, field) for field in EDITABLE_FIELDS}
    markdown = ("context", "drivers", "justification", "good_consequences",
                "bad_consequences", "confirmation", "links")  # fmt: skip
    data.update({field: attack for field in markdown})
    decision_update(decision=decision, user=world.owner_a, data=data,
                    deciders=[world.owner_a], base_version=decision.version)  # fmt: skip

    response, _ = Requester(world.owner_a).send(
        "GET", reverse("decision_export_pdf", args=[decision.pk])
    )

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert [url for url in opened if not url.startswith("data:")] == []
