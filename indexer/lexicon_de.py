"""Words of building files the German word list lacks, folded (ä -> a, ß -> ss).

Measured against ``tests/indexer/data/compounds_de.tsv``: what the list
(``indexer.lexicon``) does not hold as a noun, nor shows as one inside its
compounds.  NOUNS also count in their plural and genitive forms (Gauben,
Carports); FIRSTS only begin compounds (Einfamilienhaus, Mietvertrag).
"""

NOUNS = frozenset(
    [
        "bewehrung", "carport", "decker", "einfahrt", "feger", "gaube", "kappe", "pappe",
        "putz", "rinne", "ruckbau", "stutze", "umnutzung", "unterkellerung", "untersagung",
        "vermerk", "versickerung", "voranfrage", "vorbescheid", "stempel", "begrunung",
    ]
)  # fmt: skip
FIRSTS = frozenset(
    ["einfamilien", "zweifamilien", "mehrfamilien", "miet", "pruf", "solar", "wohn", "trag",
     "stell"]
)  # fmt: skip
