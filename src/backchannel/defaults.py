"""Defaults shared by the library, the command line and the workbench, in a
module light enough for the command line's start-up (no NumPy, no pydantic)."""

#: Samples per batch of a scenario run by default: part of a run's identity
#: (the same seed with another batch size draws other samples).
BATCH_SIZE = 250
