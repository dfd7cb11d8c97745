"""Text analysis shared by indexing and querying."""

from analysis.analyser import ANALYSED_LANGS, Analyser, AnalyserSpec, Analysis, QueryTermVariant

__all__ = ["ANALYSED_LANGS", "Analyser", "AnalyserSpec", "Analysis", "QueryTermVariant"]
