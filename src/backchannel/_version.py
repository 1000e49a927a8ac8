"""The version of the package, in one place (the layers below the API read it here)."""

__version__ = "0.1.0"
