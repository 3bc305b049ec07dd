"""Errors the library raises by name; the CLI and the page turn them into one-line messages."""


class KnowledgeBaseError(Exception):
    """Base class: the message is written for the person at the keyboard."""


class NoIndexError(KnowledgeBaseError):
    """There is no index yet where one was looked for."""


class IndexMismatchError(KnowledgeBaseError):
    """The index on disk does not fit its manifest or the configured model."""


class IndexBusyError(KnowledgeBaseError):
    """Another process holds the writer lock."""


class ConfigError(KnowledgeBaseError):
    """A setting (environment variable, argument) has a value that cannot work."""
