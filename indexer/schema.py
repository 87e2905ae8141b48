"""The Whoosh schema: one index document per page, analysed by ``indexer.analysis``."""

from __future__ import annotations

from whoosh.analysis import Analyzer, Token, Tokenizer
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from . import analysis


class _FunctionTokenizer(Tokenizer):
    """Adapts an ``analysis`` function of (term, position, start, end) to Whoosh tokens."""

    def __init__(self, function) -> None:
        self.function = function

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.function is self.function

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # queries are analysed by the query parser itself; here only the exact terms
        terms = analysis.exact_terms(value) if mode == "query" else self.function(value)
        for text, position, start, end in terms:
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def german() -> Analyzer:
    return _FunctionTokenizer(analysis.index_terms)


def exact() -> Analyzer:
    return _FunctionTokenizer(analysis.exact_terms)


def make_schema() -> Schema:
    return Schema(
        page_id=ID(stored=True, unique=True),
        doc=ID(stored=True, sortable=True),
        bf=ID(stored=True, sortable=True),  # a column: the permission filter reads it
        page=NUMERIC(stored=True),
        text=TEXT(analyzer=german(), stored=True),  # positions for phrases; highlights re-analyse
        exact=TEXT(analyzer=exact(), phrase=False),
        title=TEXT(analyzer=german(), stored=True),
        aktenzeichen=ID(stored=True),
        az=KEYWORD(lowercase=True),
        strasse=TEXT(analyzer=german()),
        hausnr=KEYWORD(lowercase=True),  # "411a 411": indexer.places
        plz=ID(),
        azteile=KEYWORD(lowercase=True),  # the file number's pieces, zeros dropped
        address=STORED(),
        gemarkung=KEYWORD(lowercase=True, commas=True),
        flur=KEYWORD(lowercase=True, commas=True),
        flurstueck=KEYWORD(lowercase=True, commas=True),
        bezirk=ID(stored=True, sortable=True),
        kind=ID(stored=True, sortable=True),
        decade=ID(stored=True, sortable=True),
        year=NUMERIC(stored=True, sortable=True),
        date=DATETIME(stored=True),
        sortdate=NUMERIC(sortable=True),  # date as an ordinal, 0 when undated
        valid_until=DATETIME(stored=True),
        source=ID(stored=True),
        original_name=STORED(),
        inbox=BOOLEAN(),
        audience=ID(stored=True, sortable=True),  # a column: the scope filter reads it
    )
