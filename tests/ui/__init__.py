"""Tests of the desktop app (a package, so that its conftest does not shadow tests/conftest.py)."""
