"""Deep-zoom pyramids: made at ingest for pages larger than their preview, caught up later,
and read back region by region at the original's resolution."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

import ingest
from ingest import pyramid
from ingest.process import page_prefix
from ingest.pyramid_catchup import catch_up
from ingest.runner import Outcome
from storage import derived_key
from viewer.iiif.local_files import LocalFiles
from viewer.iiif.sources import PyramidSource

from .samples import multipage_tiff, save_image, scan_image


def _key(sha: str, number: int) -> str:
    return derived_key(sha, f"{page_prefix(number)}/{pyramid.NAME}")


def _sha(report) -> str:
    [accepted] = [f for f in report.files if f.outcome is Outcome.ACCEPTED]
    return accepted.sha256


def test_large_pages_get_a_pyramid_small_ones_do_not(instance, tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    multipage_tiff(folder / "63-BA-2021-0001_bauzeichnung_2021-01-01_Plaene.tif", pages=2)
    report = ingest.run([folder], instance)
    sha = _sha(report)
    files = LocalFiles()
    for number in (1, 2):
        source = PyramidSource.open(files.path(instance.store, _key(sha, number)))
        assert source.size == (1240, 1754)  # the original's pixels, not the preview's
    small = tmp_path / "small"
    small.mkdir()
    save_image(
        small / "63-BA-2021-0002_sonstiges_2021-01-01_Notiz.jpg",
        scan_image(size=(800, 1100)),
        "JPEG",
    )
    sha_small = _sha(ingest.run([small], instance))
    assert not instance.store.exists(_key(sha_small, 1))


def test_the_command_catches_up_and_is_idempotent(instance, tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    multipage_tiff(folder / "63-BA-2021-0003_bauzeichnung_2021-01-01_Plaene.tif", pages=3)
    sha = _sha(ingest.run([folder], instance))
    instance.store.delete(_key(sha, 2))  # as if stored before pyramids existed
    first = catch_up(instance)
    assert (first.made, first.failed) == (1, 0) and first.present >= 2
    assert instance.store.exists(_key(sha, 2))
    again = catch_up(instance)
    assert again.made == 0 and again.present == first.present + 1


def _pattern(size: tuple[int, int]) -> Image.Image:
    """Lines a pixel wide, every few pixels: a wrong offset or scale shows at once."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 7):
        draw.line([(x, 0), (x, size[1])], fill=0)
    for y in range(0, size[1], 11):
        draw.line([(0, y), (size[0], y)], fill=80)
    draw.rectangle([1000, 700, 1400, 900], fill=30)
    return image


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0]


def test_a_region_read_from_the_pyramid_is_that_region_of_the_original(tmp_path) -> None:
    original = _pattern((3000, 2000))
    png = tmp_path / "plan.png"
    original.save(png)
    out = tmp_path / "plan.tif"
    pyramid.build(png, "image/png", 1, out, 100_000_000)
    source = PyramidSource.open(out)
    assert source.size == (3000, 2000)
    tile = source.cut((1024, 512, 512, 512), (512, 512))
    got = Image.frombytes("L", (tile.width, tile.height), tile.write_to_memory())
    assert _mean_difference(got, original.crop((1024, 512, 1536, 1024))) < 8
    overview = source.cut((0, 0, 3000, 2000), (750, 500))  # read from a smaller level
    small = Image.frombytes("L", (overview.width, overview.height), overview.write_to_memory())
    assert small.size == (750, 500)
    reference = original.resize((750, 500), Image.Resampling.BOX)
    assert _mean_difference(small, reference) < 12


def test_a_pyramid_is_refused_above_the_pixel_limit(tmp_path) -> None:
    png = tmp_path / "big.png"
    _pattern((2000, 2000)).save(png)
    with pytest.raises(pyramid.PyramidError, match="above the limit"):
        pyramid.build(png, "image/png", 1, tmp_path / "out.tif", 1_000_000)


def test_a_broken_file_is_a_pyramid_error_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 500)
    with pytest.raises(pyramid.PyramidError):
        pyramid.build(bad, "image/jpeg", 1, tmp_path / "out.tif", 100_000_000)
