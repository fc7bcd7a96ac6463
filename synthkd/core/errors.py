"""The errors of the dataset modules, in a module of their own so that the file helpers, the chunk checks, the
reader, the writer and merge can all raise them without importing one another."""

from __future__ import annotations

from synthkd.core.settings import Fault


class DatasetError(ValueError):
    """A dataset directory is missing, incomplete, inconsistent, or not the one asked for."""


class DatasetFault(DatasetError, Fault):
    """A dataset's file cannot be read or written, or is damaged (exit status 1, not bad input): the message names
    the file and the cause."""
