"""The display and export methods a derivation and a report share, as one mixin.

Each method only delegates, importing its renderer when called, so the model stays light and every
output format keeps its code in its own module (:mod:`symbn.render.latex`, ``markdown``, ``display``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


def _plain_text_only() -> bool:
    """Whether the running IPython shows only ``text/plain`` (its terminal, not a notebook)."""
    import sys

    if "IPython" not in sys.modules:
        return False
    try:
        from IPython import get_ipython

        shell = get_ipython()
        active = shell.display_formatter.active_types if shell is not None else None
    except Exception:  # no usable shell: behave as a notebook would
        return False
    return active is not None and set(active) <= {"text/plain"}


class Displayed:
    """``to_latex``/``to_markdown``/``to_html`` exports, Jupyter's ``_repr_mimebundle_`` (the one
    source of a notebook's display; ``_repr_latex_``/``_repr_markdown_`` give its parts), rich's and
    IPython's protocols."""

    def to_latex(self, **options: Any) -> str:
        """LaTeX (see :func:`symbn.render.latex.to_latex`; on a derivation ``marks=True`` checks it first)."""
        from symbn.render.latex import to_latex

        return to_latex(self, **_switches(options))  # type: ignore[arg-type]

    def to_markdown(self, **options: Any) -> str:
        """Markdown with display math (see :func:`symbn.render.markdown.to_markdown`)."""
        from symbn.render.markdown import to_markdown

        return to_markdown(self, **_switches(options))  # type: ignore[arg-type]

    def to_html(self, **options: Any) -> str:
        """A self-contained HTML report (see :func:`symbn.render.html.to_html`)."""
        from symbn.render.html import to_html

        return to_html(self, **options)  # type: ignore[arg-type]

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **_: Any
    ) -> dict[str, str]:
        """Jupyter's one display of this object: every MIME type from :func:`display.mimebundle`."""
        from symbn.render import display

        if _plain_text_only():
            return {}  # IPython's terminal: its text/plain is the drawing of _repr_pretty_
        bundle = display.mimebundle(self)  # type: ignore[arg-type]
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle

    def _repr_markdown_(self) -> str:
        from symbn.render import display

        return display.markdown(self)  # type: ignore[arg-type]

    def _repr_latex_(self) -> str:
        from symbn.render import display

        return display.latex(self)  # type: ignore[arg-type]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        from symbn.render import display

        display.pretty(self, printer, cycle)  # type: ignore[arg-type]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from symbn.render import display

        yield display.renderable(self)  # type: ignore[arg-type]


_SWITCHES = ("standalone", "why", "marks")


def _switches(options: dict[str, Any]) -> dict[str, Any]:
    """The export options, with each on/off switch required to be True or False (not "no")."""
    from symbn.errors import DerivationError

    for key in _SWITCHES:
        if key in options and not isinstance(options[key], bool):
            raise DerivationError(f"{key}= takes True or False; got {options[key]!r}")
    return options
