"""The API as an ASGI factory, for servers that start their own processes:

    uvicorn --factory query_api.asgi:create --workers 4

Each worker process reads its settings from SMESEARCH_* and opens its own backend, which is how
`smesearch serve --workers N` runs too.
"""

from __future__ import annotations

from fastapi import FastAPI

from config.settings import Settings
from operations.app import App
from query_api.app import create_app
from query_api.observe import configure_logging


def create() -> FastAPI:
    settings = Settings()
    configure_logging(settings.log_level, settings.access_log)
    return create_app(App(settings))
