"""The interface holds no engine: a second backend builds on it without Whoosh."""

from __future__ import annotations

import subprocess
import sys

from indexer.backend import SearchBackend
from indexer.whoosh_backend import WhooshBackend


def test_the_interface_and_its_types_import_without_whoosh() -> None:
    code = (
        "import sys; sys.modules['whoosh'] = None\n"
        "from indexer.backend import SearchBackend, IndexUnusable, IndexBusy\n"
        "from indexer.results import Scope, SearchResults, Limits, QueryRefused, Wanted, FACETS\n"
        "print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_whoosh_backend_has_every_method_of_the_interface(tmp_path) -> None:
    methods = {n for n in dir(SearchBackend) if not n.startswith("_")}
    backend = WhooshBackend(tmp_path)
    assert methods <= {n for n in dir(backend) if not n.startswith("_")}
    assert backend.name == "whoosh"


def test_the_whoosh_search_takes_every_option_of_the_interface() -> None:
    import inspect

    from indexer import retrieval

    def keywords(function) -> set[str]:
        kinds = (inspect.Parameter.KEYWORD_ONLY,)
        return {n for n, p in inspect.signature(function).parameters.items() if p.kind in kinds}

    assert keywords(SearchBackend.search) == keywords(retrieval.search)
