"""Rendering verification reports from a results document (reports never run mathematics)."""

from ._html import render_report

__all__ = ["render_report"]
