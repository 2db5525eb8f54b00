"""The ``autoscalper`` command line: one module per group of commands, ``main`` the entry point."""

from .main import main

__all__ = ["main"]
