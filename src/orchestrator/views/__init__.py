"""What the trader reads: the session table, status, the report, the --compare diff, the notices."""
