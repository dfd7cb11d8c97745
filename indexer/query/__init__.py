"""The query language, parsed once in Python and handed to every backend as the same plan.

`grammar.py` parses the syntax; `planner.py` analyses the parsed words (or a key sentence's
content words) into a `Plan`; `plan.py` holds the plan's types, which are the backends' contract;
`crosslingual.py` adds the readings a word gains from its translations.
"""

from indexer.query.crosslingual import TRANSLATED_WEIGHT, QueryTranslator, translate_query
from indexer.query.grammar import (
    MAX_NESTING,
    And,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    QueryError,
    Scope,
    Site,
    Word,
    clean_query,
    is_plain,
    parse,
)
from indexer.query.plan import (
    AllOf,
    AnalysedQuery,
    AnyOf,
    Everything,
    NoneOf,
    PhraseMatch,
    Plan,
    SiteMatch,
    TermMatch,
)
from indexer.query.planner import SENTENCE_PREFERRED_SHARE, analyse_query

__all__ = ["MAX_NESTING", "SENTENCE_PREFERRED_SHARE", "TRANSLATED_WEIGHT", "AllOf", "AnalysedQuery", "And",
           "AnyOf", "Everything", "MatchAll", "Node", "NoneOf", "Not", "Or", "Phrase", "PhraseMatch", "Plan",
           "QueryError", "QueryTranslator", "Scope", "Site", "SiteMatch", "TermMatch", "Word", "analyse_query",
           "clean_query", "is_plain", "parse", "translate_query"]
