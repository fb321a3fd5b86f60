"""derived layer."""
