"""HTML to PDF (WeasyPrint) and plotly figures to SVG (kaleido). No Django imports.

Charts are the dashboards' own plotly specs exported as vector SVG by kaleido,
which drives a headless Chromium (the system one). Starting Chromium costs a few
seconds, so one kaleido server is kept per worker process and reused; exports
are serialised through a lock. When no browser can be started the report is
still produced, with the reason in place of each chart.
"""

from __future__ import annotations

import atexit
import base64
import logging
import threading
import warnings
from dataclasses import dataclass
from typing import Any

_lock = threading.Lock()
_server = {"started": False}  # one kaleido browser per process
SVG_WIDTH, SVG_HEIGHT = 860, 380


@dataclass(frozen=True)
class Chart:
    name: str
    data_uri: str | None  # data:image/svg+xml;base64,... or None
    error: str = ""


def _print_layout(figure: dict[str, Any]) -> dict[str, Any]:
    """The page's figure, sized for A4 and on white (the screen theme is transparent)."""
    layout = {
        **figure.get("layout", {}),
        "width": SVG_WIDTH,
        "height": SVG_HEIGHT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }
    layout.pop("template", None)
    return {**figure, "layout": layout}


def _ensure_server() -> None:
    if not _server["started"]:
        import kaleido

        for name in ("kaleido", "choreographer"):  # per-call INFO chatter
            logging.getLogger(name).setLevel(logging.WARNING)
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(_stop_server)
        _server["started"] = True


def _stop_server() -> None:
    """Close the browser before the interpreter tears down its streams."""
    import kaleido

    logging.getLogger("choreographer").disabled = True
    logging.getLogger("kaleido").disabled = True
    try:
        kaleido.stop_sync_server(silence_warnings=True)
    finally:
        _server["started"] = False


def figures_to_svg(figures: dict[str, dict[str, Any] | None]) -> dict[str, Chart]:
    """Each figure as an SVG data URI; a figure that cannot be exported says why."""
    import plotly.io as pio

    out: dict[str, Chart] = {}
    with _lock:
        for name, figure in figures.items():
            if figure is None:
                out[name] = Chart(name, None, "no data")
                continue
            try:
                _ensure_server()
                with warnings.catch_warnings():  # kaleido: "kopts ignored with a server"
                    warnings.simplefilter("ignore", UserWarning)
                    svg = pio.to_image(_print_layout(figure), format="svg")
            except Exception as exc:  # no browser, a crashed browser...: say so in the PDF
                out[name] = Chart(name, None, f"chart unavailable ({type(exc).__name__}: {exc})")
                continue
            encoded = base64.b64encode(svg).decode()
            out[name] = Chart(name, f"data:image/svg+xml;base64,{encoded}")
    return out


@dataclass(frozen=True)
class Pdf:
    content: bytes
    pages: int


def html_to_pdf(html: str, *, base_url: str | None = None) -> Pdf:
    """Lay out and write the PDF; the page count comes from the same layout."""
    from weasyprint import HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    document = HTML(string=html, base_url=base_url).render()
    return Pdf(document.write_pdf(), len(document.pages))
