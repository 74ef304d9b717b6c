"""Serve plotly.js from the installed ``plotly`` package: no CDN, no vendored copy in git.

The file is exposed as ``vendor/plotly/plotly-<version>.min.js`` so the URL changes
with the package version (browsers never keep a stale bundle). Being a staticfiles
finder, it works under ``runserver``, the test live server and ``collectstatic``
(whitenoise in production) alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

PACKAGE_DATA = Path(plotly.__file__).resolve().parent / "package_data"
SOURCE_NAME = "plotly.min.js"
PREFIX = "vendor/plotly"
PUBLIC_NAME = f"plotly-{plotly.__version__}.min.js"
STATIC_PATH = f"{PREFIX}/{PUBLIC_NAME}"


class _PlotlyStorage(FileSystemStorage):
    """Maps the public, versioned name onto the file the package ships."""

    prefix = PREFIX

    def path(self, name: str) -> str:
        return super().path(SOURCE_NAME if name == PUBLIC_NAME else name)


class PlotlyFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.storage = _PlotlyStorage(location=str(PACKAGE_DATA))
        super().__init__(*args, **kwargs)

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if not (PACKAGE_DATA / SOURCE_NAME).is_file():
            return [Error("plotly.min.js is missing from the plotly package", id="reports.E001")]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        if path != STATIC_PATH:
            return []
        match = str(PACKAGE_DATA / SOURCE_NAME)
        return [match] if find_all else match

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        yield PUBLIC_NAME, self.storage
