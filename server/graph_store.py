"""Blueprint: graph_store (to be built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("graph_store", __name__)
