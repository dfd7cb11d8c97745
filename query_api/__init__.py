"""The FastAPI search service (a later issue adds suggest, term-to-sites, admin, portal and widget)."""
