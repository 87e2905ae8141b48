"""Payment references as ISO 11649 creditor references (``RF`` + two check digits + ours).

The SEPA structured reference German banks carry in a transfer's
remittance field.  Our part (``BA`` + the notice number + two check digits of
its own, ISO 7064 mod 97-10) is checked again, so a payer who leaves out the
``RF47`` still names one notice for certain.  Mod 97 catches every single
wrong character and every swap of two neighbours: a reference read back from a
bank statement names the notice it was made for or none, never another.
People type references with spaces, hyphens and dots, in lower case, with O
for 0 and I or l for 1: :func:`notice_numbers` reads all of those.
"""

from __future__ import annotations

import re

PREFIX = "BA"
NUMBER_DIGITS = 7
_LOOKALIKE = "OQDILSBZ"
_AS_DIGIT = str.maketrans("OQDILSBZ", "00011582")
_SEPARATORS = r"[\s\-./_:]*"


def _mod97(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text)) % 97


def make(number: int) -> str:
    """The reference of notice ``number``: ``RF`` cc ``BA`` nnnnnnn cc."""
    if not 0 < number < 10**NUMBER_DIGITS:
        raise ValueError(f"a notice number has 1 to {NUMBER_DIGITS} digits")
    digits = f"{number:0{NUMBER_DIGITS}d}"
    inner = f"{PREFIX}{digits}{98 - _mod97(digits + '00'):02d}"
    return f"RF{98 - _mod97(inner + 'RF00'):02d}{inner}"


def is_valid(reference: str) -> bool:
    if not re.fullmatch(r"RF[0-9]{2}[0-9A-Z]{1,21}", reference):
        return False
    return _mod97(reference[4:] + reference[:4]) == 1


def display(reference: str) -> str:
    """In groups of four, as printed on the notice: ``RF47 BA00 0004 217``."""
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))


def notice_numbers(text: str) -> set[int]:
    """The notices a remittance text names for certain (every check digit right)."""
    width = NUMBER_DIGITS + 2
    digit = f"[0-9{_LOOKALIKE}]"
    pattern = re.compile(
        rf"(?:RF{_SEPARATORS}{digit}{_SEPARATORS}{digit}{_SEPARATORS})?"
        rf"BA{_SEPARATORS}((?:{digit}{_SEPARATORS}){{{width - 1}}}{digit})(?![0-9])"
    )
    found: set[int] = set()
    for match in pattern.finditer(text.upper()):
        digits = re.sub(r"[^0-9A-Z]", "", match.group(1)).translate(_AS_DIGIT)
        if _mod97(digits) == 1:  # our own check digits: RF's are then redundant
            found.add(int(digits[:NUMBER_DIGITS]))
    return found
