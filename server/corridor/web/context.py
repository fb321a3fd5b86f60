"""Access to the store and configuration of the running application from any view."""

from __future__ import annotations

from flask import current_app

from corridor.config import Config
from corridor.store import OxigraphStore


def get_store() -> OxigraphStore:
    return current_app.extensions["corridor.store"]


def get_config() -> Config:
    return current_app.extensions["corridor.config"]
