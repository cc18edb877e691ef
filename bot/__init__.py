"""faggruppe-bot: a Microsoft Teams bot for faggrupper in regional digitalisation cooperations."""

# The one version number: the package metadata (pyproject reads it), /healthz, GET / and the Teams manifest.
__version__ = "1.2.0"
