"""A Babel extractor for scheming schemas: the strings scheming shows through gettext.

ckanext-scheming translates a plain-string ``label``, ``help_text``, ``form_placeholder`` (and a
choice's ``label``) with ``_()`` at render time (``scheming_language_text``), and the suite's
form template does the same with ``form_section``: they belong in the suite's ``.pot`` although
no ``_()`` call names them.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

KEYS = {"label", "help_text", "form_placeholder", "form_section"}


def _strings(node: yaml.Node) -> Iterator[tuple[int, str]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value in KEYS and isinstance(value, yaml.ScalarNode) and value.value.strip():
                yield value.start_mark.line + 1, value.value.strip()
            else:
                yield from _strings(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _strings(item)


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel's extractor protocol: (line number, function name, message, comments)."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is not None:
        for lineno, message in _strings(root):
            yield lineno, "_", message, []
