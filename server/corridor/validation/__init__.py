"""SHACL validation (SHACL Core and SHACL-SPARQL constraints): the shapes the compiler can
translate exactly run as set-oriented SPARQL inside the store, every other shape on the exact
engine (:mod:`corridor.validation.engine`); pySHACL is the reference the tests compare against,
the W3C SHACL Core suite the standard (tests/validation/test_w3c_core.py).

The write check guards every write: :func:`write_check` for a store.
"""

from __future__ import annotations

from corridor.store import ReadView, Store, WriteCheck, WriteRejected
from corridor.validation.paths import UnsupportedShape
from corridor.validation.report import VIOLATION, Report, Result
from corridor.validation.validator import Validator

__all__ = ["VIOLATION", "Report", "Result", "UnsupportedShape", "Validator", "validator_for",
           "write_check"]


def validator_for(store: Store) -> Validator:
    """The deployment's validator (bundled or configured shapes + ontology), built once per
    store and kept with it."""
    validator = store.extensions.get("corridor.validator")
    if validator is None:
        validator = store.extensions["corridor.validator"] = Validator.bundled(store.config)
    assert isinstance(validator, Validator)
    return validator


def write_check(store: Store, validator: Validator | None = None) -> WriteCheck:
    """The standard write check: SHACL on the IRIs a write touched (and their neighbours).

    Raises :class:`WriteRejected` whose ``report`` is a :class:`Report`.
    """
    chosen = validator or validator_for(store)

    def check(scratch: ReadView, focus: frozenset[str] | None) -> None:
        report = chosen.validate_store(scratch, focus)
        if report.blocks_write:  # Violations only: Warnings and Infos are reported, not refused
            count = len(report.violations)
            raise WriteRejected(f"rejected by SHACL validation: {count} violation(s)", report)

    return check
