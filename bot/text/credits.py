"""Photo credits, captions and by-lines: one home for the rules that tell them from article text.

`cleaning` drops caption paragraphs and reads the by-line off an article's head; `briefs` keeps
credit and by-line sentences out of a brief. Both ask here, so the two never drift apart.
"""

from __future__ import annotations

import re

__all__ = ["BYLINE", "CREDIT", "is_credit_or_byline"]

# A credit anywhere in a line: `Photo: ...`, `Image credit:`, `Reuters/Name`, `/ AP`,
# `(Getty Images)` at the end, `©`, `AP Photo`, `photographs by`; and the trailer phrases a
# caption or a teaser carries ("Click here", "Read more", "Follow us on").
CREDIT = re.compile(
    r"Image Source\s*:|(?:^|[(\[|]\s*|\s)(?-i:Photo(?:graph)?|Image|Picture|Pic|Credit|Caption"
    r"|File photo|Representational image|PHOTO|IMAGE|CREDIT)s?(?: credit)?\s*:"
    r"|\b(?:AP|AFP|EPA|REUTERS|Reuters|Getty|PTI|ANI|IANS|Xinhua)(?: Photo| Images)?\s*/\s*\w"
    r"|/\s*(?:AP|AFP|EPA|REUTERS|Getty Images|Shutterstock|Bloomberg)\b"
    r"|\((?:AP|AFP|Reuters|Getty Images|EPA|Shutterstock)(?: Photo)?(?:/[^)]*)?\)\s*$"
    r"|(?:Getty Images|Shutterstock|AP Photo|(?-i:\bREUTERS))\s*\)?\s*$"
    r"|(?:^|\s)(?:©|\(c\)\s)"
    r"|\b(?:photo(?:graph)?s?\s*(?:by|:|credit)|picture:|credit:|getty images|ap photo|file photo"
    r"|reuters/|afp/|scroll down|click here|read more|sign up for|share this article"
    r"|follow us on)",
    re.I,
)
# A by-line paragraph: `By Jane Smith`, `BY: Jane Smith and Joe Doe | December 19, 2024`; what
# follows a separator is `rest` (a date or the text glued to it).
BYLINE = re.compile(
    r"^[Bb][Yy]:?\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&|de|van|von|al|bin|,))*"
    r"(?:\s*[,|•·–—-]\s*(?P<rest>.*))?$"
)
# The opening of a sentence that is a by-line or a time stamp, not news: `By Jane Smith ...`,
# `Published: ...`, `Updated: ...`.
_BYLINE_START = re.compile(
    r"^(?:by:?\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}|published:|updated:)", re.I
)


def is_credit_or_byline(sentence: str) -> bool:
    """Tell whether a sentence carries a credit or opens with a by-line, so it is no news."""
    return CREDIT.search(sentence) is not None or _BYLINE_START.match(sentence) is not None
