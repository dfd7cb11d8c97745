"""What routes receive through dependencies: the App they serve and problem-details answers."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from operations.app import App
from query_api.guards import problem_body


def app_of(request: Request) -> App:
    """The App this API serves (`create_app` puts it on the FastAPI state)."""
    app: App = request.app.state.app
    return app


def problem(status: int, title: str, detail: str, request: Request,
            headers: dict[str, str] | None = None) -> Response:
    """An RFC 9457 problem-details answer with the request id."""
    body = problem_body(status, title, detail, getattr(request.state, "request_id", None))
    return Response(body, status_code=status, media_type="application/problem+json", headers=headers)
