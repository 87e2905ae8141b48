"""The fee schedule and the fee notice's letterhead, as settings.

The defaults follow the figures the Stadt Osnabrück publishes for an
inspection of building files (14 € per application, 2.50 € per building file,
0.30 € per A4 copy); A3 at twice the A4 rate is our assumption.  Cities that
charge by clerk time set ``fee_half_hour_cents`` (Mecklenburg-Vorpommern's
Baugebührenverordnung: 32 € per started half hour; Leichlingen 24 €).  Money is
in integer cents throughout, never floats.
"""

from __future__ import annotations

from .setting import Setting

DEFAULT_REMEDY = (
    "Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Widerspruch "
    "erhoben werden. Der Widerspruch ist schriftlich, in elektronischer Form oder zur "
    "Niederschrift bei der oben genannten Behörde einzulegen."
)
"""Where the state has abolished the Widerspruch (NRW, Niedersachsen for most cases) the
remedy is an action at the administrative court: the operator sets the text."""

FEE_SETTINGS: tuple[Setting, ...] = (
    Setting("fee_application_cents", int, 1400, "Fee per application to inspect, in cents."),
    Setting("fee_file_cents", int, 250, "Fee per building file inspected, in cents."),
    Setting(
        "fee_half_hour_cents",
        int,
        0,
        "Fee per started half hour of clerk time, in cents (the clerk enters the minutes).",
    ),
    Setting("fee_page_a4_cents", int, 30, "Fee per extract page up to A4, in cents."),
    Setting("fee_page_a3_cents", int, 60, "Fee per extract page larger than A4, in cents."),
    Setting(
        "fee_exempt_domains",
        str,
        "",
        "E-mail domains of authorities whose applications are free, comma-separated "
        "(e.g. stadt.example, polizei.example).",
    ),
    Setting(
        "fee_owner_exempt",
        bool,
        False,
        "An owner's application to see their own file is free.",
    ),
    Setting(
        "fee_pay_afterwards",
        bool,
        False,
        "An approved application's access opens at once; the fee is paid afterwards.",
    ),
    Setting("fee_due_days", int, 30, "Days from the fee notice to its due date."),
    Setting(
        "authority_address",
        str,
        "",
        "The authority's postal address for the letterhead, lines separated by '|'.",
    ),
    Setting("bank_iban", str, "", "IBAN of the account fees are paid into."),
    Setting("bank_bic", str, "", "BIC of that account."),
    Setting("bank_name", str, "", "Name of the bank holding that account."),
    Setting(
        "payee_name",
        str,
        "",
        "Account holder named on the fee notice; empty: the authority's name.",
    ),
    Setting(
        "fee_remedy_notice",
        str,
        DEFAULT_REMEDY,
        "Rechtsbehelfsbelehrung printed on every fee notice.",
    ),
)
