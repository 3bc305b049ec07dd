"""Errors the library raises by name; the CLI and the page turn them into one-line messages.

Messages never name an absolute filesystem path: the page shows them to readers, so they name
index files by their place in the index folder (`gen-000012/vectors.faiss`) at most.
"""

from __future__ import annotations

import errno
import sqlite3

REBUILD = "rebuild it with: python -m index build --full"


class KnowledgeBaseError(Exception):
    """Base class: the message is written for the person at the keyboard."""


class NoIndexError(KnowledgeBaseError):
    """There is no index yet where one was looked for."""


class IndexMismatchError(KnowledgeBaseError):
    """The index on disk does not fit its manifest or the configured model."""


class IndexDamagedError(IndexMismatchError):
    """A file of the index is missing, truncated, corrupt or disagrees with the others.

    `problem` says what is wrong without the fix, for callers that act on it themselves (a
    rebuild reports why it started); the message is the problem, then how to fix it.
    """

    def __init__(self, problem: str, fix: str = REBUILD):
        super().__init__(f"{problem}; {fix}")
        self.problem = problem


class IndexChangingError(KnowledgeBaseError):
    """The live generation kept being replaced while it was being opened; trying again works."""


class IndexWriteError(KnowledgeBaseError):
    """A new generation could not be written (full disk, unwritable folder); the old one still serves."""


class IndexBusyError(KnowledgeBaseError):
    """Another process holds the writer lock."""


class ConfigError(KnowledgeBaseError):
    """A setting (environment variable, argument) has a value that cannot work."""


_REASONS = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "the file system is read-only",
    errno.EIO: "input/output error",
}


def storage_reason(error: BaseException) -> str:
    """Why a file operation failed, in words and without any path: from an OSError's errno, or from
    the text SQLite and FAISS give (FAISS names the file in its message, so that is never shown)."""
    if isinstance(error, OSError) and error.errno in _REASONS:
        return _REASONS[error.errno]
    if isinstance(error, OSError):
        return (error.strerror or type(error).__name__).lower()
    text = str(error).lower()
    if isinstance(error, sqlite3.Error) and "full" in text:
        return _REASONS[errno.ENOSPC]
    for marker, number in (
        ("no space", errno.ENOSPC),
        ("quota", errno.EDQUOT),
        ("permission denied", errno.EACCES),
        ("read-only", errno.EROFS),
        ("readonly", errno.EROFS),
    ):
        if marker in text:
            return _REASONS[number]
    if isinstance(error, sqlite3.Error):
        return f"SQLite: {str(error).splitlines()[0][:120]}"
    return f"{type(error).__name__} while writing the vectors"


def write_failure(error: BaseException, previous: bool = True) -> IndexWriteError:
    """The one-line error for a generation that could not be written; the live one (if `previous`)
    is untouched and still serves."""
    reason = storage_reason(error)
    if reason in (_REASONS[errno.EACCES], _REASONS[errno.EPERM]):
        reason += " (the index folder is not writable)"
    after = "the previous index is still in use" if previous else "no index was published"
    return IndexWriteError(f"could not write the new index generation: {reason}; {after}")
