"""Fixtures shared by the validation tests."""

import pytest

from tests.validation.fixture_manifest import bundled_validator


@pytest.fixture(scope="module")
def validator():
    """The SHACL validator on the bundled shapes and ontology (compiled once per module)."""
    return bundled_validator()
