"""The web app: an app factory, one blueprint per area, templates per blueprint."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
