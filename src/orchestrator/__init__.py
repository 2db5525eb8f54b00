"""Orchestrator: settings, listeners, journal, pipeline, replay and the ``autoscalper`` CLI.

Kept import-light: ``autoscalper parse`` must start in well under half a second.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    """``from orchestrator import Orchestrator`` without making ``autoscalper parse`` import the journal."""
    if name == "Orchestrator":
        from .app import Orchestrator

        return Orchestrator
    raise AttributeError(name)
