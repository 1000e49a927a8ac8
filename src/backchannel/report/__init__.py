"""The self-contained HTML report and its charts (``svg``)."""

from .build import build_report

__all__ = ["build_report"]
