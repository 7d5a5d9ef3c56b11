"""A run folder: checked before any step is spent, locked while a process trains in it, never
written over without being asked.

- `open_run(out, command, resume, overwrite)` refuses a folder that already holds a run (any of
  RUN_FILES) unless resume (continue it) or overwrite (its run files are deleted by `clear_run`,
  which the trainer calls only once the new run's first step has succeeded; other files are
  kept), refuses an --out that is a file or lies under one, and proves the folder writable (a
  probe file written, fsynced and removed), so a read-only or full disk fails before training.
- The lock: an exclusive `fcntl.flock` on `.lock`, which also records the owner's pid, host and
  command for the message a second process gets. The kernel drops the lock when its process dies
  (SIGKILL included), so a dead owner never blocks a folder and no pid has to be guessed at.
"""
import contextlib
import errno
import fcntl
import json
import os
import socket
import tempfile
import time

from tinygan import files
from tinygan.errors import RunFolderError

LOCK = ".lock"
# Every name a GAN or VAE run writes (tests check that a run writes nothing else).
RUN_FILES = ("checkpoint.npz", "metrics.json", "samples.png", "losses.png", "classes.png", "progress",
             "reconstructions.png", "traversals.png", "covariance.png")
PROGRESS_PICTURE = "samples-"     # progress/samples-STEP.png: the only files clear_run deletes there
EVENTS_PREFIX = "events.out.tfevents."   # TensorBoard event files (tinygan/tensorboard.py), run files too


def is_run_file(name):
    """Whether `name` (in a run folder) is one a run writes: RUN_FILES and TensorBoard event files."""
    return name in RUN_FILES or name.startswith(EVENTS_PREFIX)


def existing_run_files(out):
    found = [name for name in RUN_FILES if os.path.lexists(os.path.join(out, name))]
    if os.path.isdir(out):
        found += sorted(n for n in os.listdir(out) if n.startswith(EVENTS_PREFIX))
    return found


def _check_path(out, command, must_exist):
    """One line for an --out that cannot be a run folder: a file, under a file, or (resume) absent."""
    out = os.path.abspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise RunFolderError(f"{command}: --out {out} is an existing file, not a folder")
    parent = out
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise RunFolderError(f"{command}: --out {out} lies under {parent}, which is a file")
    if must_exist and not os.path.isdir(out):
        raise FileNotFoundError(f"{command}: --resume/--extend given but {out} does not exist")
    for name, kind in (("checkpoint.npz", "file"), ("metrics.json", "file"), ("progress", "folder")):
        path = os.path.join(out, name)
        if os.path.exists(path) and os.path.isdir(path) != (kind == "folder"):
            raise RunFolderError(f"{command}: {path} must be a {kind}")


def _make_writable_folder(out, command):
    """Create `out` and write, fsync and delete a probe file in it."""
    try:
        os.makedirs(out, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=files.TEMP_PREFIX)
        try:
            os.write(fd, b"\0" * 65536)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.remove(probe)
    except OSError as exc:
        raise RunFolderError(f"{command}: cannot write in {out} ({os_error_reason(exc)}); choose another --out") from None


def os_error_reason(exc):
    return {errno.ENOSPC: "disk full", errno.EROFS: "read-only filesystem",
            errno.EACCES: "permission denied", errno.EDQUOT: "disk quota exceeded"}.get(exc.errno, exc.strerror or str(exc))


def clear_run(out):
    """Delete the run files of `out` (RUN_FILES and TensorBoard event files; in progress/ only the
    progress pictures, and the folder itself only if nothing else is left in it). Nothing else in
    `out` is touched."""
    for name in existing_run_files(out):
        path = os.path.join(out, name)
        if name == "progress" and os.path.isdir(path) and not os.path.islink(path):
            for picture in os.listdir(path):
                if picture.startswith(PROGRESS_PICTURE) and picture.endswith(".png"):
                    os.remove(os.path.join(path, picture))
            with contextlib.suppress(OSError):
                os.rmdir(path)                      # only if empty: a user's own files stay
        elif not os.path.isdir(path):
            os.remove(path)


# ---- the lock ----------------------------------------------------------------------------------
def acquire_lock(out, command):
    """Hold an exclusive flock on out/.lock (recording who holds it) or raise RunFolderError naming
    the holder. Returns the open file; release_lock closes it."""
    path = os.path.join(out, LOCK)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read_owner(fd)
            os.close(fd)
            who = (f"process {owner.get('pid')} on {owner.get('host')} ({owner.get('command', '?')})"
                   if owner else "another process")
            raise RunFolderError(f"{command}: {out} is in use by {who}; wait for it to finish") from None
        # the holder before us may have removed the file after we opened it: then our lock is on a
        # deleted inode, and a third process could lock a new file at the same path — start over
        if os.path.exists(path) and os.path.samestat(os.fstat(fd), os.stat(path)):
            break
        os.close(fd)
    me = {"pid": os.getpid(), "host": socket.gethostname(), "command": command, "since": time.time()}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(me).encode(), 0)
    return fd


def _read_owner(fd):
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        return {}


def release_lock(out, fd):
    with contextlib.suppress(OSError):
        os.remove(os.path.join(out, LOCK))     # while still holding it: see acquire_lock
    os.close(fd)


@contextlib.contextmanager
def open_run(out, command, resume=False, overwrite=False):
    """Check and lock run folder `out` for the duration of the block; refuse an existing run
    unless resume or overwrite (the caller then calls clear_run when it is ready to write)."""
    if resume and overwrite:
        raise RunFolderError(f"{command}: choose one of --resume/--extend and --overwrite")
    out = os.fspath(out)
    _check_path(out, command, must_exist=resume)
    _make_writable_folder(out, command)
    lock = acquire_lock(out, command)
    try:
        found = existing_run_files(out)
        if found and not (resume or overwrite):
            raise RunFolderError(f"{command}: {out} already holds a run ({', '.join(found)}); add --resume to "
                                 "continue it or --overwrite to replace it")
        files.remove_temp_files(out)         # what a killed save left behind (out and out/progress)
        yield out
    finally:
        release_lock(out, lock)
