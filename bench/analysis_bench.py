"""The cost of German analysis at index time: compounds and old spellings beside plain stemming.

    python bench/analysis_bench.py [--pages 20000]

Both runs read the same synthetic pages (bench/search_corpus.py: building-authority
words among made-up ones, so unknown words take the splitter's longest path) with
cold caches and the same per-word cache.  The reference tokenises, folds, drops stop
words and stems each word, nothing more; Bauakte's analysis
(indexer.analysis.index_terms) also reads compounds with the word list and gives old
spellings their modern form.  Pages repeat words, so the cost that grows with a
corpus is per distinct word: printed too, each distinct word analysed once.  Also
printed: the time to read the word list and the memory it takes.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import corpus

from indexer import analysis, compounds, spelling, stemming
from indexer.folding import fold
from indexer.lexicon import lexicon
from indexer.stopwords import STOPWORDS


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@functools.lru_cache(maxsize=200_000)
def _plain_word(raw: str) -> tuple[str, ...]:
    word = fold(raw)
    return () if word in STOPWORDS else (stemming.stem(word),)


def plain(text: str) -> int:
    """The reference: the same tokens and the same per-word cache, no compounds or spellings."""
    return sum(len(_plain_word(m.group())) for m in analysis.TOKEN.finditer(text))


def full(text: str) -> int:
    return sum(1 for _ in analysis.index_terms(text))


def clear_caches() -> None:
    for cached in (stemming.stem, analysis._index_word, compounds._reading, compounds._split,
                   compounds._best, spelling.modern, _plain_word):  # fmt: skip
        cached.cache_clear()


def timed(function, texts: list[str]) -> tuple[float, int]:
    clear_caches()
    start = time.perf_counter()
    terms = sum(function(t) for t in texts)
    return time.perf_counter() - start, terms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    args = parser.parse_args()
    texts = [record.text for record in corpus(pages=args.pages, files=max(1, args.pages // 20))]
    words = sum(len(analysis.TOKEN.findall(t)) for t in texts)
    before = rss_mb()
    start = time.perf_counter()
    lexicon()
    loaded = time.perf_counter() - start
    print(f"machine: {os.cpu_count()} cores; {len(texts)} pages, {words} words")
    print(f"word list: read in {loaded:.2f} s, {rss_mb() - before:.0f} MB")
    reference, plain_terms = timed(plain, texts)
    ours, full_terms = timed(full, texts)
    print(f"reference (fold, stop words, stem): {len(texts) / reference:8.0f} pages/s "
          f"({plain_terms} terms)")  # fmt: skip
    print(f"Bauakte analysis (+ compounds, old spellings): {len(texts) / ours:8.0f} pages/s "
          f"({full_terms} terms)")  # fmt: skip
    per_page = ours / len(texts) * 1000
    print(f"cost per page: {per_page:.3f} ms, {ours / reference:.2f}x the reference")
    distinct = sorted({m.group() for t in texts for m in analysis.TOKEN.finditer(t)})
    plain_words, _ = timed(lambda w: len(_plain_word(w)), distinct)
    our_words, _ = timed(lambda w: len(analysis._index_word(w)), distinct)
    print(f"each distinct word once ({len(distinct)}): {our_words / len(distinct) * 1e6:.1f} µs "
          f"a word, {our_words / plain_words:.1f}x the reference")  # fmt: skip


if __name__ == "__main__":
    main()
