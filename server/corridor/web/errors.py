"""Short plain-text error responses shared by the SPARQL and Graph Store endpoints.

The SPARQL 1.1 Protocol leaves failure bodies implementation-defined; a one-line text message
is what curl users, YASGUI and SPARQLWrapper all display well.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """A ``text/plain`` response whose body is ``message`` (one line, newline-terminated)."""
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def method_not_allowed(allowed: list[str]) -> Response:
    return error_response(
        405, f"method not allowed here; use {', '.join(allowed)}", {"Allow": ", ".join(allowed)}
    )
