"""A feed's drop folder: the files an agency delivers by FTP or SFTP, each read once.

A file is read once it has been left unchanged for ``FEED_DROP_SETTLE_SECONDS`` (one
still being written waits for the next fetch), then moved to ``done/``, or to
``failed/`` with its error in a ``.error.txt`` file beside it. Nothing outside the
feed's folder is read: links out of it, folders and hidden files are left alone.
"""

import time
from pathlib import Path

DONE, FAILED = "done", "failed"


class TooLarge(Exception):
    pass


def ready_files(folder: Path, settle_seconds: float, now: float | None = None) -> tuple[list, int]:
    """The files ready to read, oldest first, and how many still wait (too new)."""
    now = time.time() if now is None else now
    ready, waiting = [], 0
    for path in folder.iterdir():
        if path.name.startswith(".") or not path.is_file():
            continue
        if not path.resolve().is_relative_to(folder):
            continue  # a link out of the folder
        modified = path.stat().st_mtime
        if modified > now - settle_seconds:
            waiting += 1
            continue
        ready.append((modified, path.name, path))
    return [path for _, _, path in sorted(ready)], waiting


def read(path: Path, limit: int) -> bytes:
    """The file's bytes, reading no more than ``limit`` (TooLarge past it)."""
    with path.open("rb") as handle:
        content = handle.read(limit + 1)
    if len(content) > limit:
        raise TooLarge
    return content


def file_away(path: Path, outcome: str, error: str = "") -> Path:
    """Move ``path`` into ``done/`` or ``failed/`` beside it (a new name if one is taken),
    with the error in ``<name>.error.txt`` for a failed file."""
    target_folder = path.parent / outcome
    target_folder.mkdir(exist_ok=True)
    target = target_folder / path.name
    number = 1
    while target.exists():
        target = target_folder / f"{path.stem}.{number}{path.suffix}"
        number += 1
    path.replace(target)
    if error:
        target.with_name(target.name + ".error.txt").write_text(error + "\n", encoding="utf-8")
    return target
