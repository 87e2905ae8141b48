"""The one door to libvips (pyvips), with a probe that names what to install.

libvips comes from PyPI's ``pyvips-binary`` wheel (libvips 8.18), not from
Debian's ``libvips42`` (8.14): Bauakte hands libvips only TIFF, JPEG and PNG
originals and pixels pdfium already rendered, so the PDF and JPEG 2000
loaders Debian adds are never used, while the wheel is pinned with the rest
of the Python dependencies and needs no system package on a demo machine.
"""

from __future__ import annotations

import functools
from types import ModuleType

from .model import MissingDependency

MIN_VERSION = (8, 14)
CACHE_OPERATIONS = 100
"""libvips' operation cache, kept small: web workers open many different pages."""


@functools.cache
def probe() -> ModuleType:
    """pyvips, checked to load its library and write tiled JPEG TIFFs."""
    try:
        import pyvips
    except (ImportError, OSError) as exc:
        raise MissingDependency(
            f"libvips cannot be loaded ({exc}): install the Python packages "
            "'pyvips' and 'pyvips-binary' (pip install -e .)"
        ) from None
    version = (pyvips.version(0), pyvips.version(1))
    if version < MIN_VERSION:
        raise MissingDependency(
            f"libvips {version[0]}.{version[1]} is too old (needs {MIN_VERSION[0]}."
            f"{MIN_VERSION[1]}): install the Python package 'pyvips-binary'"
        )
    suffixes = set(pyvips.get_suffixes())
    if not {".tif", ".jpg", ".png"} <= suffixes:
        raise MissingDependency(
            "this libvips cannot read TIFF, JPEG and PNG: install the Python package "
            "'pyvips-binary'"
        )
    pyvips.cache_set_max(CACHE_OPERATIONS)
    return pyvips


def version() -> str:
    vips = probe()
    return f"{vips.version(0)}.{vips.version(1)}.{vips.version(2)}"
