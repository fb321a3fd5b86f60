"""Blueprint: browse (to be built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("browse", __name__)
