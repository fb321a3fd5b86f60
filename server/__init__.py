"""Corridor: a linked-data knowledge graph of European interregional innovation cooperation."""

__version__ = "0.1.0"
