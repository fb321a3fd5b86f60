"""The Graph Store tests use the same live-server fixture as the SPARQL tests."""

from tests.sparql.conftest import client, live  # noqa: F401
