"""The JSON API under /api/v1, documented by an OpenAPI 3 file generated from the code.

flask-smorest builds ``/api/v1/openapi.json`` from the marshmallow schemas
and the route decorators; every error, from any route, has one shape
(``code``, ``status``, ``message``), which the spec declares as the default
response.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from ..web.context import IdConverter
from ..web.extensions import csrf
from . import applications_endpoint, audit, files, search_endpoint, staff_endpoint, tokens

API_PREFIX = "/api/v1"


class BauakteApi(Api):
    def _register_error_handlers(self) -> None:
        """Errors are rendered by viewer.web.errors, which knows API from page requests."""


def init_api(app: Flask) -> None:
    app.config.update(
        API_TITLE="Bauakte API",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = BauakteApi(app, spec_kwargs={"info": {"description": __doc__.split("\n\n")[0]}})
    api.register_converter(
        IdConverter, lambda _c: {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    )
    api.spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "a per-user API token"}
    )
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "bauakte_session"}
    )
    for module in (files, search_endpoint, audit, tokens, applications_endpoint, staff_endpoint):
        csrf.exempt(module.blp)  # checked in auth.before_api_request for cookie sessions only
        api.register_blueprint(module.blp, url_prefix=API_PREFIX)
