"""The app factory: one Flask app per instance, extensions bound, blueprints registered."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from docstore.config import load_config
from docstore.instance import Instance
from docstore.saml import idp_origin
from indexer.lexicon import lexicon
from ingest.index_sync import search_backend
from viewer.search_gate import SearchGate

from . import (
    accounts,
    application_labels,
    applications,
    archive,
    audit_labels,
    bidi,
    clerk,
    downloads,
    errors,
    extract_labels,
    extracts,
    fee_labels,
    fees,
    formatting,
    grant_desk,
    hits,
    iiif,
    iiif_presentation,
    legal,
    online_payments,
    oversight,
    page_images,
    ratelimit,  # noqa: F401 - registers the bauakte-db:// storage with limits
    redaction,
    review,
    search_page,
    security,
    upload_corrections,
)
from .context import IdConverter, WebState
from .extensions import babel, csrf, limiter, login_manager, select_locale

VIEWER = Path(__file__).resolve().parent.parent


def create_app(instance: Instance | None = None, **settings: object) -> Flask:
    """The app for ``instance`` (default: the configured one); ``settings`` go to Flask's config.

    The instance's schema must be current: the app never migrates on its own.
    """
    instance = instance or Instance(load_config())
    instance.require_schema()
    lexicon()  # searches read words as the index did: the word list must be there, now
    config = instance.config
    if not config.secret_key:
        raise SystemExit("no secret key: run 'bauakte init' first")
    app = Flask(
        "viewer",
        template_folder=str(VIEWER / "templates"),
        static_folder=str(VIEWER / "static"),
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        BABEL_DEFAULT_LOCALE="de",
        BABEL_DEFAULT_TIMEZONE=config.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(VIEWER / "translations"),
        RATELIMIT_STORAGE_URI="bauakte-db://",
        MAX_CONTENT_LENGTH=config.upload_max_mb << 20,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(settings)
    if config.trusted_proxies:  # a forged X-Forwarded-For from a client is ignored otherwise
        hops = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.url_map.converters["id"] = IdConverter
    app.extensions["bauakte"] = WebState(
        instance, search_backend(instance), SearchGate(max(1, config.search_concurrency))
    )
    targets = (idp_origin(Path(config.saml_idp_metadata)),) if config.saml_idp_metadata else ()
    if config.payment_provider and config.paydienst_url:  # "Online bezahlen" leads there
        targets += (online_payments.origin(config.paydienst_url),)
    security.configure(app, https=config.https, form_targets=targets)
    csrf.init_app(app)
    login_manager.init_app(app)
    errors.keep_retry_after(app)  # before the limiter's after-request: runs after it
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    errors.register(app)
    formatting.register(app)
    bidi.register(app)
    application_labels.register(app)
    fee_labels.register(app)
    extract_labels.register(app)
    audit_labels.register(app)
    blueprints = (accounts, applications, archive, clerk, downloads, extracts, fees, grant_desk,
                  hits, iiif, iiif_presentation, legal, online_payments, page_images, oversight,
                  redaction, review, search_page, upload_corrections)  # fmt: skip
    for module in blueprints:
        app.register_blueprint(module.bp)
    from viewer.api import init_api  # the API builds on the app's extensions

    init_api(app)
    return app
