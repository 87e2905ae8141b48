"""The declaration of one setting, shared by :mod:`docstore.config` and the groups of
settings that live beside the code they configure (:mod:`docstore.fee_settings`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ENV_PREFIX = "BAUAKTE_"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    """A value, or a string template that may use ``{home}``."""
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()
