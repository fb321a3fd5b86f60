"""Blueprint: linked_data (to be built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("linked_data", __name__)
