"""The kernel every app stands on (see core/README.md)."""
