"""The settings object and the data directory's layout: the bottom layer every package may import."""

from config.datadir import DataDir
from config.settings import Settings

__all__ = ["DataDir", "Settings"]
