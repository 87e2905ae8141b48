"""The deep-zoom viewer's assets: OpenSeadragon from npm, its one inline style allowed by hash,
and srcset widths that are the widths of the images sent."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from ingest.render import renditions_from_image
from viewer.renditions import WIDTHS, served_widths
from viewer.web.security import CSP, OPENSEADRAGON_STYLE, style_hash

VIEWER = Path(__file__).parents[2] / "viewer"
OSD = VIEWER / "static" / "vendor" / "openseadragon" / "openseadragon.min.js"


def test_openseadragon_is_the_pinned_npm_release() -> None:
    lock = json.loads((VIEWER / "frontend" / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/openseadragon"]["version"]
    assert OSD.is_file(), "run 'make' (npm ci --prefix viewer/frontend) to install OpenSeadragon"
    assert f'versionStr:"{pinned}"' in OSD.read_text()


def test_the_csp_allows_exactly_the_style_openseadragon_adds() -> None:
    # a new OpenSeadragon with another style would be refused by the browser: caught here
    assert OPENSEADRAGON_STYLE in OSD.read_text()
    assert style_hash(OPENSEADRAGON_STYLE) in CSP and "'unsafe-inline'" not in CSP


@pytest.mark.parametrize("size", [(3000, 2000), (1000, 1400), (1240, 5000), (9600, 6400)])
def test_served_widths_are_the_widths_of_the_previews_of_images(size) -> None:
    preview = Image.open(io.BytesIO(renditions_from_image(Image.new("L", size))["preview.jpg"]))
    widths = served_widths(*size, enlarged=False)
    assert widths[-1][1] == preview.width
    assert [w for w, _ in widths] == list(WIDTHS[: len(widths)])
    assert all(sent == asked for asked, sent in widths[:-1])
