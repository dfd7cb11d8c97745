"""Translation between Chinese, Japanese and English for cross-lingual search.

Empty until the translation issue: documents may already carry translated titles and
summaries (title_en, summary_zh, ...), which the indexer analyses and searches.
"""
