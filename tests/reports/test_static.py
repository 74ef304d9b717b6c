"""plotly.js is served from the installed package (no CDN), under a versioned name."""

from __future__ import annotations

import plotly
import pytest
from django.contrib.staticfiles import finders

from reports.finders import STATIC_PATH


def test_plotly_bundle_is_found_and_versioned() -> None:
    path = finders.find(STATIC_PATH)
    assert path and path.endswith("plotly.min.js")
    assert plotly.__version__ in STATIC_PATH
    with open(path, "rb") as handle:
        assert b"plotly.js" in handle.read(200)


def test_collectstatic_picks_it_up(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / STATIC_PATH).stat().st_size > 1_000_000


@pytest.mark.django_db
def test_pages_reference_the_local_bundle_only(compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    html = client.get("/").content.decode()
    assert f"/static/{STATIC_PATH}" in html
    assert "cdn" not in html.lower()
