"""Short plain-text error responses shared by the SPARQL and Graph Store endpoints.

The SPARQL 1.1 Protocol leaves failure bodies implementation-defined; a one-line text message
is what curl users, YASGUI and SPARQLWrapper all display well.
"""

from __future__ import annotations

import errno
import logging
import re
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


_PATH = re.compile(r"(?:/[^\s/:'\"]+)+/?")
_log = logging.getLogger("corridor.web")


def write_failure(error: BaseException, what: str) -> Response:
    """The answer to a write the store could not make: 507 when the disk is full (the CLI's
    message), else 500 — never echoing file system paths (the details go to the server log)."""
    text = str(error)
    _log.error("%s failed: %s", what, text)
    if getattr(error, "errno", None) == errno.ENOSPC or "No space left" in text \
            or "disk is full" in text:
        return error_response(507, f"{what} failed: the disk is full; the store is unchanged "
                              "(free some space and try again)")
    if getattr(error, "errno", None) == errno.EACCES or "Permission denied" in text:
        return error_response(500, f"{what} failed: permission denied writing the store; "
                              "the store is unchanged")
    return error_response(500, f"{what} failed: {_PATH.sub('<path>', text)}")
