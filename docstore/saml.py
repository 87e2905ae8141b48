"""The SAML 2.0 service provider: pysaml2 with Debian's ``xmlsec1`` program, behind one wrapper.

pysaml2 checks an identity provider's answer: the XML signature (with the
``xmlsec1`` program, not a C extension tied to lxml's libxml2), the audience,
the destination, the validity window and that it answers a request of ours.
What it vouches for comes out as an :class:`Assertion`; what Bauakte does with
it is :mod:`docstore.services.identities`' job.

An instance signs in through one identity provider, whose metadata file the
operator places on disk (``saml_idp_metadata``): nothing is fetched at run time.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import shutil
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused

from .errors import ServiceUnavailable, UsageError
from .identity_models import TrustLevel

PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
MAX_RESPONSE_CHARS = 512 * 1024
"""A signed assertion with a few attributes is a few kilobytes."""
CLOCK_SKEW_SECONDS = 60
"""How far the provider's clock may be from ours."""

TRUST_LEVELS = {
    "http://eidas.europa.eu/LoA/low": TrustLevel.BASIC,
    "http://eidas.europa.eu/LoA/substantial": TrustLevel.SUBSTANTIAL,
    "http://eidas.europa.eu/LoA/high": TrustLevel.HIGH,
    "STORK-QAA-Level-1": TrustLevel.BASIC,
    "STORK-QAA-Level-2": TrustLevel.BASIC,
    "STORK-QAA-Level-3": TrustLevel.SUBSTANTIAL,
    "STORK-QAA-Level-4": TrustLevel.HIGH,
}
"""AuthnContextClassRef -> level: eIDAS (DeutschlandID) and the STORK levels BundID sends.
Anything else (a password at a plain provider, "unspecified") counts as basic."""

ATTRIBUTES = {
    "email": ("email", "mail", "urn:oid:0.9.2342.19200300.100.1.3"),
    "given_name": ("givenName", "urn:oid:2.5.4.42"),
    "surname": ("surname", "sn", "urn:oid:2.5.4.4"),
}
"""The attributes Bauakte reads, under the names providers commonly give them."""


class SamlRejected(UsageError):
    """The provider's answer is not taken; ``reason`` says why (for the audit trail)."""

    default_code = "signin.refused"

    def __init__(self, reason: str) -> None:
        super().__init__(f"sign-in through the identity provider refused: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Assertion:
    """What the identity provider vouched for, after every check passed."""

    issuer: str
    subject: str
    assertion_id: str
    trust_level: TrustLevel
    expires_at: dt.datetime
    attributes: dict[str, str] = field(default_factory=dict)


def probe() -> str:
    """The ``xmlsec1`` program pysaml2 checks signatures with, or what to install."""
    found = shutil.which("xmlsec1")
    if not found:
        raise ServiceUnavailable(
            "SAML sign-in needs the xmlsec1 program: install Debian's 'xmlsec1' package"
        )
    return found


def trust_level(class_refs: list[str]) -> TrustLevel:
    levels = [TRUST_LEVELS.get(ref.strip(), TrustLevel.BASIC) for ref in class_refs]
    order = list(TrustLevel)
    return max(levels, key=order.index) if levels else TrustLevel.BASIC


def in_response_to(saml_response: str) -> str:
    """The request id the (still unchecked) answer claims to reply to; "" if none."""
    if len(saml_response) > MAX_RESPONSE_CHARS:
        raise SamlRejected("the answer is too large")
    try:
        xml = base64.b64decode(saml_response, validate=False)
        root = defused.fromstring(xml)  # no entities, no DTD: a hostile answer cannot expand
    except (binascii.Error, ValueError, ElementTree.ParseError, DefusedXmlException):
        raise SamlRejected("the answer is not a SAML response") from None
    if root.tag != f"{{{PROTOCOL_NS}}}Response":
        raise SamlRejected("the answer is not a SAML response")
    return root.get("InResponseTo", "")


METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


def idp_entity_id(metadata: Path) -> str:
    """The one identity provider the metadata file describes (its answers must name it)."""
    try:
        root = ElementTree.parse(metadata).getroot()
    except (OSError, ElementTree.ParseError) as exc:
        raise ServiceUnavailable(f"identity provider metadata {metadata}: {exc}") from None
    entity = root if root.tag == f"{{{METADATA_NS}}}EntityDescriptor" else None
    if entity is None or not entity.get("entityID"):
        raise ServiceUnavailable(
            f"identity provider metadata {metadata} must describe exactly one provider"
        )
    return entity.get("entityID", "")


def idp_origin(metadata: Path) -> str:
    """Where the provider's sign-in page is (scheme://host:port), from its metadata file.

    The sign-in button is a form whose answer redirects there; the page's
    Content-Security-Policy (``form-action``) must name that origin.
    """
    try:
        root = ElementTree.parse(metadata).getroot()
    except (OSError, ElementTree.ParseError) as exc:
        raise ServiceUnavailable(
            f"identity provider metadata {metadata} cannot be read ({exc}): download it from "
            "the provider and set BAUAKTE_SAML_IDP_METADATA"
        ) from None
    for service in root.iter(f"{{{METADATA_NS}}}SingleSignOnService"):
        if service.get("Binding") != REDIRECT_BINDING:  # the one the button's redirect uses
            continue
        parts = urlsplit(service.get("Location", ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    raise ServiceUnavailable(f"identity provider metadata {metadata} names no sign-in service")


class ServiceProvider:
    """Bauakte as a SAML service provider of one identity provider."""

    def __init__(self, entity_id: str, acs_url: str, idp_metadata: Path) -> None:
        if not idp_metadata.is_file():
            raise ServiceUnavailable(
                f"identity provider metadata {idp_metadata} is missing: download it from the "
                "provider and set BAUAKTE_SAML_IDP_METADATA"
            )
        self.entity_id, self.acs_url, self.idp_metadata = entity_id, acs_url, idp_metadata
        self.idp = idp_entity_id(idp_metadata)

    @cached_property
    def _client(self):
        from saml2 import BINDING_HTTP_POST
        from saml2.client import Saml2Client
        from saml2.config import SPConfig

        config = SPConfig()
        config.load({
            "entityid": self.entity_id,
            "service": {"sp": {
                "endpoints": {"assertion_consumer_service": [(self.acs_url, BINDING_HTTP_POST)]},
                "allow_unsolicited": False,
                "authn_requests_signed": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "name_id_format": PERSISTENT,
            }},
            "metadata": {"local": [str(self.idp_metadata)]},
            "xmlsec_binary": probe(),
            "accepted_time_diff": CLOCK_SKEW_SECONDS,
            "allow_unknown_attributes": True,
        })  # fmt: skip
        return Saml2Client(config=config)

    def login_request(self, relay_state: str) -> tuple[str, str]:
        """(request id, the provider's URL to send the browser to)."""
        from saml2 import BINDING_HTTP_REDIRECT

        request_id, info = self._client.prepare_for_authenticate(
            binding=BINDING_HTTP_REDIRECT, relay_state=relay_state
        )
        return request_id, dict(info["headers"])["Location"]

    def read(self, saml_response: str, request_id: str) -> Assertion:
        """The checked assertion of an answer to ``request_id``; :class:`SamlRejected` else."""
        from saml2 import BINDING_HTTP_POST

        try:
            response = self._client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
            )
        except Exception as exc:  # pysaml2 has dozens of error types; every one is a refusal
            raise SamlRejected(f"{type(exc).__name__}: {exc}"[:300]) from None
        finally:  # pysaml2 keeps every person it saw in memory; Bauakte needs none of it
            self._client.users.cache._db.clear()
        if response is None or response.assertion is None:
            raise SamlRejected("the answer holds no assertion")
        return self._assertion(response)

    def _assertion(self, response) -> Assertion:
        from saml2.time_util import str_to_time

        name_id = response.name_id
        if name_id is None or not name_id.text:
            raise SamlRejected("the assertion names no subject")
        if name_id.format != PERSISTENT:  # a transient id would make a new account each time
            raise SamlRejected(f"the subject is no persistent name id ({name_id.format})")
        # the signed assertion's issuer counts (the response around it need not be signed),
        # and it must be the one provider configured
        issuer = response.assertion.issuer.text if response.assertion.issuer else ""
        outer = response.response.issuer.text if response.response.issuer is not None else issuer
        if issuer != self.idp or outer != issuer:
            raise SamlRejected(f"the answer is not from {self.idp} (assertion: {issuer!r})")
        conditions = response.assertion.conditions
        until = conditions.not_on_or_after if conditions is not None else None
        expires = (
            dt.datetime(*str_to_time(until)[:6], tzinfo=dt.UTC)
            if until
            else dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        )
        values = response.ava or {}
        attributes = {}
        for key, names in ATTRIBUTES.items():
            found = next((values[n] for n in names if values.get(n)), None)
            if found:
                attributes[key] = str(found[0])[:320]
        return Assertion(
            issuer=issuer,
            subject=name_id.text[:500],
            assertion_id=response.assertion.id,
            trust_level=trust_level([info[0] for info in response.authn_info()]),
            expires_at=expires,
            attributes=attributes,
        )

    def metadata(self) -> str:
        """This service provider's metadata XML, for the provider's administrators."""
        from saml2.metadata import entity_descriptor

        return str(entity_descriptor(self._client.config))
