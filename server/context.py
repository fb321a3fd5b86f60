"""Access to the store and configuration of the running application from any view."""

from __future__ import annotations

from flask import current_app

from .config import Config
from .store import OxigraphStore


def get_store() -> OxigraphStore:
    return current_app.extensions["corridor.store"]


def get_config() -> Config:
    return current_app.extensions["corridor.config"]
