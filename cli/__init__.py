"""The `isoflow` command line: the entry point above the web app and the scheduler."""

from cli.main import main

__all__ = ["main"]
