"""One writer at a time: an exclusive `fcntl.flock` on `<index dir>/lock`.

The kernel drops the lock when its holder dies, even by SIGKILL, so a crashed ingest never
leaves the index locked. Readers take no lock: they only open published generations.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import IndexBusyError, IndexWriteError, storage_reason


@contextmanager
def writer_lock(kb_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the writer lock of kb_dir, waiting up to wait_seconds for another writer.

    An index folder that cannot be created or written raises IndexWriteError (nothing changed).
    """
    try:
        kb_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(kb_dir / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise IndexWriteError(
            f"cannot take the writer lock in the index folder: {storage_reason(error)}; nothing was changed"
        ) from None
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                    raise IndexBusyError(
                        f"another ingest (pid {holder}) is updating the index; "
                        "wait for it to finish, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
