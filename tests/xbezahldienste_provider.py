"""A TEST Bezahldienst: speaks XBezahldienste 1.0 as published, takes no money.

Built from the published API documentation (docs.fitko.de/xbezahldienste,
version 1.0.0) because no real Bezahldienst (ePayBL, pmPayment, ...) can be
reached from here: it checks a PaymentRequest the way the documentation
describes (identifiers, EUR only, the items adding up to ``grosAmount``, the
lengths and characters of purpose and description, a requestId only once),
answers with the documented status model, shows a pay page with "Bezahlen"
and "Abbrechen", and pushes a notification signed as
:mod:`docstore.xbezahldienste` expects.  The tests drive it in-process; ``make
demo`` runs it as a process (``python -m tests.xbezahldienste_provider``).
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests
from flask import Flask, Response, abort, redirect, request
from markupsafe import escape
from werkzeug.serving import make_server

from docstore.xbezahldienste import euros, signature

ID = re.compile(r"^[\w-]{1,36}$")
PURPOSE = re.compile(r"^[\w\s-]{0,27}$")
DESCRIPTION = re.compile(r"^[\w\s\-,.\u00C0-\u017F]{0,250}$")


@dataclass
class Transaction:
    id: str
    request: dict[str, Any]
    amount_cents: int
    status: str = "INITIAL"
    reported_cents: int | None = None
    """What the state query reports as paid; a test sets it to fake a provider's error."""
    created: float = field(default_factory=time.time)


class Problem(Exception):
    def __init__(self, status: int, title: str, text: str) -> None:
        super().__init__(text)
        self.status, self.title, self.text = status, title, text


class TestBezahldienst:
    """One tenant (originatorId/endPointId) with its credentials and notification key."""

    __test__ = False  # not a pytest class

    def __init__(self, *, originator: str = "bauakte", endpoint: str = "03404000",
                 user: str = "bauakte", password: str = "test-password",
                 key: str = "test-notification-key-of-32-characters!",
                 notify_url: str = "") -> None:  # fmt: skip
        self.originator, self.endpoint = originator, endpoint
        self.user, self.password, self.key = user, password, key
        self.notify_url = notify_url
        self.transactions: dict[str, Transaction] = {}
        self.request_ids: set[str] = set()
        self.notifications: list[int] = []
        """HTTP statuses our notifications were answered with."""
        self.down = False
        self.app = self._make_app()
        self._server = None
        self.url = ""

    # -- the interface ---------------------------------------------------------------
    def _make_app(self) -> Flask:
        app = Flask("test_bezahldienst")
        app.register_error_handler(Problem, _problem)
        base = "/paymenttransaction/<o>/<e>"
        app.add_url_rule("/status/<o>/<e>", view_func=self._status)
        app.add_url_rule(base, view_func=self._create, methods=["POST"])
        app.add_url_rule(f"{base}/<tx>", view_func=self._get)
        app.add_url_rule("/pay/<tx>", view_func=self._page, methods=["GET", "POST"])
        return app

    def _tenant(self, o: str, e: str) -> None:
        if self.down:
            raise Problem(503, "UNSPECIFIED", "Wartung")
        auth = request.headers.get("Authorization", "")
        wanted = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if not hmac.compare_digest(auth.encode(), wanted.encode()):
            raise Problem(403, "FORBIDDEN", "Fehlende Authentisierungsdaten")
        if (o, e) != (self.originator, self.endpoint):
            raise Problem(403, "NO_VALID_ORIGINATOR_OR_ENDPOINT", "Mandant unbekannt")

    def _status(self, o: str, e: str) -> Response:
        self._tenant(o, e)
        return _json({"status": "OK"})

    def _create(self, o: str, e: str) -> Response:
        self._tenant(o, e)
        try:
            body = json.loads(request.get_data(), parse_float=Decimal)
        except ValueError:
            raise Problem(400, "VALIDATION_ERROR", "kein JSON") from None
        cents = _validated(body)
        if body["requestId"] in self.request_ids:
            raise Problem(400, "PAYMENT_EXISTS", "requestId schon verwendet")
        self.request_ids.add(body["requestId"])
        tx = Transaction(uuid.uuid4().hex[:20], body, cents)
        self.transactions[tx.id] = tx
        return _json(self._view(tx), 201, {"Location": f"{request.path}/{tx.id}"})

    def _get(self, o: str, e: str, tx: str) -> Response:
        self._tenant(o, e)
        found = self.transactions.get(tx)
        if found is None:
            raise Problem(404, "UNSPECIFIED", "Transaktion unbekannt")
        return _json(self._view(found))

    def _view(self, tx: Transaction) -> dict[str, Any]:
        reported = dict(tx.request)
        cents = tx.amount_cents if tx.reported_cents is None else tx.reported_cents
        reported["grosAmount"] = Decimal(cents) / 100
        return {
            "transactionId": tx.id,
            "transactionUrl": f"{self.url}/pay/{tx.id}",
            "paymentRequest": reported,
            "paymentInformation": {
                "transactionId": tx.id,
                "paymentStatus": tx.status,
                "paymentMethod": "CREDITCARD" if tx.status == "PAYED" else None,
                "transactionTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
        }

    # -- the pay page a payer sees ----------------------------------------------------
    def _page(self, tx: str) -> Response:
        found = self.transactions.get(tx) or abort(404)
        if request.method == "POST":
            if found.status == "INITIAL":
                found.status = "PAYED" if request.form.get("action") == "pay" else "CANCELED"
                self.notify(found.id)
            if request.form.get("close"):
                return Response("<p>Fertig. Sie können das Fenster schließen.</p>")
            return redirect(found.request["redirectUrl"], 303)
        amount = euros(found.amount_cents).replace(".", ",")
        html = (
            f"<!doctype html><html lang='de'><title>Test-Bezahldienst</title>"
            f"<main><h1>Test-Bezahldienst (keine echte Zahlung)</h1>"
            f"<p>{escape(found.request['description'])}</p><p>Betrag: {amount} €</p>"
            f"<p>Verwendungszweck: {escape(found.request['purpose'])}</p>"
            f"<form method='post'><button name='action' value='pay'>Bezahlen</button> "
            f"<button name='action' value='cancel'>Abbrechen</button> "
            f"<label><input type='checkbox' name='close' value='1'> danach Fenster schließen"
            f"</label></form></main></html>"
        )
        return Response(html)

    # -- what the tests do to it ------------------------------------------------------
    def pay(self, tx: str, *, notify: bool = True) -> None:
        self.transactions[tx].status = "PAYED"
        if notify:
            self.notify(tx)

    def notification(self, tx: str, *, amount_cents: int | None = None,
                     status: str | None = None, key: str | None = None,
                     signed_at: int | None = None) -> tuple[bytes, dict[str, str]]:  # fmt: skip
        """The body and headers of a notification about ``tx`` (forged when told to be)."""
        found = self.transactions[tx]
        cents = found.amount_cents if amount_cents is None else amount_cents
        claim = {"transactionId": tx, "paymentStatus": status or found.status, "grosAmount": "@"}
        body = json.dumps(claim).replace('"@"', euros(cents)).encode()
        stamp = int(time.time()) if signed_at is None else signed_at
        return body, {"X-Bezahldienst-Signature": signature(key or self.key, stamp, body),
                      "Content-Type": "application/json"}  # fmt: skip

    def notify(self, tx: str) -> None:
        if not self.notify_url:
            return
        body, headers = self.notification(tx)
        try:
            reply = requests.post(self.notify_url, data=body, headers=headers, timeout=10)
            self.notifications.append(reply.status_code)
        except requests.RequestException:
            self.notifications.append(0)

    @property
    def last(self) -> Transaction:
        return list(self.transactions.values())[-1]

    def settings(self) -> dict[str, str]:
        """The instance settings that connect Bauakte to this provider."""
        return {"payment_provider": "xbezahldienste", "paydienst_url": self.url,
                "paydienst_originator_id": self.originator,
                "paydienst_endpoint_id": self.endpoint, "paydienst_user": self.user,
                "paydienst_password": self.password,
                "paydienst_notification_key": self.key}  # fmt: skip

    def start(self, host: str = "127.0.0.1", port: int = 0) -> TestBezahldienst:
        self._server = make_server(host, port, self.app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()


def _validated(body: Any) -> int:
    """The PaymentRequest's amount in cents, after the documented checks."""
    if not isinstance(body, dict):
        raise Problem(400, "VALIDATION_ERROR", "PaymentRequest erwartet")
    for name in ("requestId", "requestTimestamp", "currency", "grosAmount", "redirectUrl",
                 "items"):  # fmt: skip
        if name not in body:
            raise Problem(400, "VALIDATION_ERROR", f"{name} fehlt")
    if not isinstance(body["requestId"], str) or not ID.match(body["requestId"]):
        raise Problem(400, "VALIDATION_ERROR", "requestId ungültig")
    if body["currency"] != "EUR":
        raise Problem(400, "VALIDATION_ERROR", "nur EUR")
    if not PURPOSE.match(str(body.get("purpose", ""))):
        raise Problem(400, "VALIDATION_ERROR", "purpose ungültig")
    if not DESCRIPTION.match(str(body.get("description", ""))):
        raise Problem(400, "VALIDATION_ERROR", "description ungültig")
    if not 0 < len(str(body["redirectUrl"])) <= 2082:
        raise Problem(400, "VALIDATION_ERROR", "redirectUrl ungültig")
    items = body["items"]
    if not isinstance(items, list) or not 1 <= len(items) <= 99:
        raise Problem(400, "VALIDATION_ERROR", "1 bis 99 items")
    total = _cents(body["grosAmount"])
    if total > 99999900 or sum(_cents(i.get("total")) for i in items) != total:
        raise Problem(400, "CALCULATION_ERROR", "Summe passt nicht zu den Positionen")
    return total


def _cents(value: Any) -> int:
    if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
        raise Problem(400, "VALIDATION_ERROR", f"kein Betrag: {value!r}")
    cents = Decimal(value) * 100
    if cents != cents.to_integral_value() or cents <= 0:
        raise Problem(400, "VALIDATION_ERROR", f"kein Betrag: {value!r}")
    return int(cents)


def _json(payload: dict[str, Any], status: int = 200, headers: dict | None = None) -> Response:
    # A real provider writes amounts as JSON numbers however it likes (16.5 for 16.50).
    text = json.dumps(payload, ensure_ascii=False, default=float)
    return Response(text, status, headers, mimetype="application/json")


def _problem(exc: Problem) -> Response:
    body = {"title": exc.title, "status": exc.status, "functionalText": exc.text}
    return Response(json.dumps(body), exc.status, mimetype="application/problem+json")


def main() -> None:
    """Run the test provider for ``make demo`` (Ctrl+C stops it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--notify", default="http://127.0.0.1:5000/payments/online/notify")
    args = parser.parse_args()
    provider = TestBezahldienst(notify_url=args.notify)
    server = make_server("127.0.0.1", args.port, provider.app, threaded=True)
    provider.url = f"http://127.0.0.1:{args.port}"
    print(f"Test-Bezahldienst on {provider.url} (no real money)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
