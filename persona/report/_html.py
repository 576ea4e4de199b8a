"""The page both of persona's HTML reports are built on: skeleton, shared style, escaped pieces.

The persona report (:mod:`persona.report._report`) and the drift report
(:mod:`persona.drift._page`) are each one self-contained file: no script, no
external style sheet, font or image, so it opens offline, from a mail
attachment or a shared drive. Both are written through :func:`page`, which
holds the skeleton and the style sheet they share (type, width, the lead
paragraph, tables); each report adds only its own rules. The small helpers put
text in escaped, always.

Strings in, a string out: this module touches nothing.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from string import Template
from typing import Any

__all__ = ["definition_list", "escaped", "page", "table"]

# Braces are CSS's own here: the width and the page's parts go in as $names.
_SHARED_STYLE = Template("""\
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: $width; color: #222; }
.lead { color: #555; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
td, th { padding: 0.2em 0.8em; border-bottom: 1px solid #eee; text-align: left; }
""")

_PAGE = Template("""\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>$title</title>
<style>
$style</style>
</head>
<body>
$body
</body>
</html>
""")


def page(title: str, body: str, *, width: str, style: str = "") -> str:
    """A whole HTML page: ``body`` under the shared style sheet, then ``style``, the page's own.

    The page's own rules come after the shared ones, so they may override them
    (a print layout, say).

    >>> text = page("Drift", "<p>ok</p>", width="1000px", style=".ok { color: green; }\\n")
    >>> text.startswith("<!doctype html>"), "max-width: 1000px" in text, "<p>ok</p>" in text
    (True, True, True)
    """
    style_sheet = _SHARED_STYLE.substitute(width=width) + style
    return _PAGE.substitute(title=escaped(title), style=style_sheet, body=body)


def escaped(value: Any) -> str:
    """``value`` as text safe inside an element or a quoted attribute.

    >>> escaped("<b>spend</b> & 'more'")
    '&lt;b&gt;spend&lt;/b&gt; &amp; &#x27;more&#x27;'
    """
    return html.escape(str(value))


def table(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A plain table of text cells, every cell escaped.

    >>> table(["x"], [("<b>",)])
    '<table><thead><tr><th>x</th></tr></thead><tbody><tr><td>&lt;b&gt;</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{escaped(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escaped(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def definition_list(terms: Mapping[str, Any], *, css_class: str | None = None) -> str:
    """Terms and their descriptions as a ``<dl>``, both escaped.

    >>> definition_list({"size": "1,200 customers (24.0%)"})
    '<dl><dt>size</dt><dd>1,200 customers (24.0%)</dd></dl>'
    """
    items = "".join(f"<dt>{escaped(k)}</dt><dd>{escaped(v)}</dd>" for k, v in terms.items())
    opening = "<dl>" if css_class is None else f"<dl class='{escaped(css_class)}'>"
    return f"{opening}{items}</dl>"
