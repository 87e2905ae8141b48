"""Settings of the online payment provider (a Bezahldienst speaking XBezahldienste).

Empty ``payment_provider`` means no online payment: citizens pay by transfer
or at the desk.  The credentials and the key that signs the provider's
notifications are agreed with the provider when the authority is connected.
"""

from __future__ import annotations

from .setting import Setting

PAYMENT_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "payment_provider",
        str,
        "",
        "Online payment: 'xbezahldienste' (a Bezahldienst such as ePayBL behind the "
        "XBezahldienste 1.0 interface) or empty for none.",
    ),
    Setting(
        "paydienst_url",
        str,
        "",
        "Base URL of the Bezahldienst's XBezahldienste API (ends before /paymenttransaction).",
    ),
    Setting(
        "paydienst_originator_id",
        str,
        "",
        "originatorId agreed with the Bezahldienst: the online service (e.g. bauakteneinsicht).",
    ),
    Setting(
        "paydienst_endpoint_id",
        str,
        "",
        "endPointId agreed with the Bezahldienst: the authority (e.g. its AGS).",
    ),
    Setting("paydienst_user", str, "", "User name for the Bezahldienst's API (HTTP Basic)."),
    Setting(
        "paydienst_password",
        str,
        "",
        "Password for the Bezahldienst's API (HTTP Basic).",
        secret=True,
    ),
    Setting(
        "paydienst_notification_key",
        str,
        "",
        "Shared key that signs the Bezahldienst's notifications (HMAC-SHA256, at least 32 "
        "characters).",
        secret=True,
    ),
    Setting(
        "paydienst_timeout_seconds",
        int,
        10,
        "Seconds to wait for the Bezahldienst before telling the payer to try again later.",
    ),
)
