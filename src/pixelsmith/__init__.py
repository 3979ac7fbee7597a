"""pixelsmith: a self-hosted AI image studio."""

__version__ = "0.1.0"
