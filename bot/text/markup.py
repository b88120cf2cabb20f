"""What an HTML tag looks like, written once for every rule that strips or skips markup."""

from __future__ import annotations

import re

__all__ = ["ANY_MARKUP", "ELEMENT_TAG"]

ELEMENT_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")
"""An element's opening or closing tag (`<p class="x">`, `</a>`): prose keeps a stray `<`."""

ANY_MARKUP = re.compile(r"<[^<>]*>")
"""Any markup between angle brackets, declarations and comments included: for HTML fragments,
where a `<` that opens no tag would have been written `&lt;`."""
