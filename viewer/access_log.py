"""gunicorn's access log without the secrets and personal data some URLs carry.

A confirmation, reset or address-change link holds a signed token in its path;
whoever reads the log could use it until it expires.  A query string holds
what someone searched for (often a name).  So the log line shows the path with
each token replaced and never the query.
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

TOKEN_PATH = re.compile(
    r"^(/register/confirm/|/password/reset/|/account/email/|/saml/finish/)[^/]+"
)
"""Every route with a ``<token>`` in its path (a test checks the app's URL map against it)."""

FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


def redacted(path: str) -> str:
    return TOKEN_PATH.sub(r"\1…", path)


class RedactingLogger(Logger):
    """The access log's atoms with the path redacted and the request line rebuilt from it."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = redacted(atoms.get("U", ""))
        atoms.update(U=path, q="", r=f"{atoms.get('m', '')} {path} {atoms.get('H', '')}")
        return atoms
