"""``python -m orchestrator`` runs the ``autoscalper`` command line."""

from .cli import main

main()
