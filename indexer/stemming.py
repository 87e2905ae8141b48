"""Snowball's German stemmer (``snowballstemmer``; in C when PyStemmer is installed)."""

from __future__ import annotations

import functools

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("german")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)
