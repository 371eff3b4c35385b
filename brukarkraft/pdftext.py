"""Users' text made safe and fast for WeasyPrint's layout, shared by every app's PDFs.

Apart from brukarkraft.pdf, which imports WeasyPrint: the apps' PDF modules build their
context in web processes too, which need not load WeasyPrint.
"""

from __future__ import annotations

import re

# Characters that make WeasyPrint's line breaking slow or that fonts lack: the non-breaking
# and other Unicode hyphens become "-", invisible break hints go, odd spaces become spaces.
_REPLACE = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2007": " ",  # figure space
    "\u2028": "\n",  # line separator
    "\u2029": "\n",  # paragraph separator
}
_REMOVE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width, word joiner, BOM
_TRANSLATE = str.maketrans({**_REPLACE, **dict.fromkeys(_REMOVE)})
# Other control characters (never typed on purpose) break the PDF's text layer.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None) -> str:
    """User text made safe and fast for layout (see _REPLACE and _REMOVE)."""
    if not text:
        return ""
    return _CONTROL.sub("", str(text).translate(_TRANSLATE))
