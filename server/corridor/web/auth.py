"""Write access: writes are off unless the operator configures a token, then need it.

``Authorization: Bearer <token>`` is the documented form. HTTP Basic with the token as the
password is accepted too, because some SPARQL clients (Jena's tools, rdflib's
``SPARQLUpdateStore(auth=...)``) can only send Basic credentials. Tokens are compared in
constant time. Read endpoints never call this module.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from flask import Response, request

from corridor.config import Config
from corridor.web.errors import error_response

REALM = 'Bearer realm="corridor", Basic realm="corridor"'


def writes_enabled(config: Config) -> bool:
    return bool(config.write_token)


def supplied_token() -> str | None:
    """The token the request carries, or None when it carries no usable credentials."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        return credentials
    if scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def deny_write(config: Config) -> Response | None:
    """None when the request may write; otherwise the 401/403 response to send instead."""
    if not writes_enabled(config):
        return error_response(
            403,
            "writes are disabled on this server (the operator enables them with "
            "--write-token or CORRIDOR_WRITE_TOKEN)",
        )
    token = supplied_token()
    if token is None:
        return error_response(
            401, "this write needs credentials: Authorization: Bearer <token>",
            {"WWW-Authenticate": REALM},
        )
    expected = config.write_token or ""
    if not expected or not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
        return error_response(403, "the write token is not valid")
    return None


def write_agent() -> str:
    """Who is writing, for provenance: the Basic user name if given, else the token holder."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user = base64.b64decode(credentials.strip()).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            user = ""
        if user:
            return user
    return "write-token holder"
