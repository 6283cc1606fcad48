"""Renderers: one module per output format, each dispatching on the type of what it prints."""

WIDTHS = {"column": 229.5, "text": 455.0}
"""The widths (pt) a LaTeX fragment is laid out for: ``column``, ``\\columnwidth`` of a two-column
``article`` at 10 pt (229.5 pt); ``text``, ``\\textwidth`` of the standalone article (25 mm margins:
455 pt on A4, 472 pt on letter paper). A fragment for ``column`` fits ``text`` too. Here, not in
:mod:`symbn.render.latex`, so that the command line reads ``--width`` without SymPy."""
