"""The journal schema's migration names, without importing sqlite-utils: opening an up-to-date journal
compares these with the applied ones and needs nothing else. ``schema.py`` registers exactly these."""

MIGRATION_SET = "autoscalper"
SCHEMA = (
    "m001_initial",
    "m002_checkpoints",
    "m003_fill_price_basis",
    "m004_fill_quote",
    "m005_decision_profile",
)
