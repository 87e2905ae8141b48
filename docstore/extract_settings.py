"""Settings of extracts (Aktenauszüge): how long their link lasts, how they are made,
which document kinds count as plans under copyright."""

from __future__ import annotations

from .setting import Setting

EXTRACT_SETTINGS: tuple[Setting, ...] = (
    Setting("extract_link_days", int, 7, "Days an extract's download link stays valid."),
    Setting(
        "extract_dpi",
        int,
        150,
        "Resolution of a stamped extract's pages, in dots per inch (plans are capped by "
        "extract_max_megapixels).",
    ),
    Setting(
        "extract_max_megapixels",
        int,
        24,
        "Most pixels of one stamped extract page, in millions (an A0 plan at 150 dpi is 27).",
    ),
    Setting("extract_max_pages", int, 300, "Most pages one extract may have."),
    Setting(
        "extract_rate_limit",
        str,
        "20 per day",
        "Extract orders allowed per account (Flask-Limiter syntax).",
    ),
    Setting(
        "extract_plan_kinds",
        str,
        "bauzeichnung,lageplan",
        "Document kinds that are plans under copyright (§ 2 UrhG): copied for people outside "
        "the authority only with the author's consent or a § 45 UrhG declaration.",
    ),
)
