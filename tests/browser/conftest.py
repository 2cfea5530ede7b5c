"""The browser tests reuse the web fixtures (app on a seeded database, running cycles)."""

from tests.web.conftest import app, cycles

__all__ = ["app", "cycles"]
