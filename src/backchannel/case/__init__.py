"""The conflict model and its language: the one input every analysis reads.

``model`` (the validated, immutable :class:`Conflict`), ``expr`` (statements
and patterns over options), ``casefile`` (YAML/JSON files, located errors),
``readers`` (other tools' files, registered from above), ``provenance`` (the
audit of judgements), ``uncertainty`` (distributions on inputs) and
``results`` (what every result type offers).
"""
