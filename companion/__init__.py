"""Meeting Companion: a local-first meeting recorder, transcriber and team memory."""

__version__ = "0.1.0"
