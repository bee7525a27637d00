"""``python -m spott_migrate`` runs the CLI."""

from .cli import main

main()
