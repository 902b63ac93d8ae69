"""Text from data (paths, author e-mails, notes, owners), made safe for where it is shown.

A file name or a commit author can hold any character: ESC sequences that clear the screen, set the
window title or plant a hyperlink; CR that overwrites a line; right-to-left overrides that reorder
it; Rich markup such as ``[bold red]`` or a ``[/x]`` that makes Textual raise; a spreadsheet
formula. One helper per job, used by every door:

- :func:`terminal` escapes control and bidirectional-format characters visibly (``\\x1b``,
  ``\\u202e``), so what was there is still readable;
- :func:`markup` does that and escapes Rich/Textual markup, for strings that are parsed as markup;
- :func:`html_text` does what :func:`terminal` does and escapes HTML (``<``, ``&``, both quotes), for
  the HTML report's text and attributes;
- :func:`csv_cell` neutralises a cell that a spreadsheet would run as a formula (OWASP: a leading
  ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``).
"""

from __future__ import annotations

import html
import re
from typing import Any

# C0 controls, DEL, C1 controls, and the Unicode bidi embeddings/overrides/isolates and marks.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def terminal(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control or bidi character written as a visible escape (``\\x1b``)."""
    def visible(match: re.Match[str]) -> str:
        char = match.group(0)
        if keep_newlines and char == "\n":
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(visible, text)


def markup(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` safe to embed in Rich/Textual markup: controls escaped, ``[`` taken literally."""
    from rich.markup import escape  # only where markup is drawn: a piped scan never imports rich

    return escape(terminal(text, keep_newlines=keep_newlines))


def html_text(text: str) -> str:
    """``text`` safe in HTML text and quoted attributes: controls escaped visibly, markup escaped."""
    return html.escape(terminal(text), quote=True)


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet evaluates: strings starting a formula get a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """Every cell of a ``csv.DictWriter`` row through :func:`csv_cell`."""
    return {key: csv_cell(value) for key, value in row.items()}
