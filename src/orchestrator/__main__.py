"""``python -m orchestrator`` runs the ``autoscalper`` command line."""

from .cli.main import main

main()
