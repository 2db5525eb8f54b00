"""Orchestrator: settings, listeners, journal, pipeline, replay and the ``autoscalper`` CLI.

Kept import-light: ``autoscalper parse`` must start in well under half a second.
"""
