"""A run folder: checked before any step is spent, locked while a process trains in it, never
written over without being asked.

- `open_run(out, kind, mode)` refuses a folder that already holds a run unless mode is "resume"
  (continue it) or "overwrite" (delete its run files first; files that are not a run's are kept),
  refuses `--out` that is a file or lies under one, and proves the folder writable by writing and
  removing a probe file, so a read-only or full disk fails before training, not at the first
  checkpoint.
- The lock is a file `.lock` holding the owner's pid and host, created atomically (written to a
  temp file, then hard-linked into place: the link fails if a lock exists). A lock whose process
  is dead on this host is stale and is taken over; a live one refuses the second process.
"""
import contextlib
import errno
import json
import os
import shutil
import socket
import tempfile
import time

from tinygan import files
from tinygan.errors import RunFolderError

LOCK = ".lock"
# Every name a GAN or VAE run writes (tests check that a run writes nothing else).
RUN_FILES = ("checkpoint.npz", "metrics.json", "samples.png", "losses.png", "classes.png", "progress",
             "reconstructions.png", "traversals.png", "covariance.png")


def existing_run_files(out):
    return [name for name in RUN_FILES if os.path.lexists(os.path.join(out, name))]


def _check_path(out, command):
    """One line for an --out that cannot be a folder: a file, or a path under a file."""
    out = os.path.abspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise RunFolderError(f"{command}: --out {out} is an existing file, not a folder")
    parent = out
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise RunFolderError(f"{command}: --out {out} lies under {parent}, which is a file")
    ckpt = os.path.join(out, "checkpoint.npz")
    if os.path.isdir(ckpt):
        raise RunFolderError(f"{command}: {ckpt} is a directory; a run folder's checkpoint.npz must be a file")


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


def _clear(out):
    for name in existing_run_files(out):
        path = os.path.join(out, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


# ---- the lock ----------------------------------------------------------------------------------
def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:       # exists, owned by someone else
        return True
    return True


def _read_lock(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def acquire_lock(out, command):
    """Take out/.lock or raise RunFolderError naming the process that holds it."""
    path = os.path.join(out, LOCK)
    me = {"pid": os.getpid(), "host": socket.gethostname(), "command": command, "since": time.time()}
    candidate = os.path.join(out, f"{LOCK}-{me['pid']}")       # one per process: no race between two
    with files.atomic_open(candidate, "w") as f:
        json.dump(me, f)
    try:
        for _ in range(3):
            try:
                os.link(candidate, path)      # atomic: fails if the lock exists
                return me
            except FileExistsError:
                owner = _read_lock(path)
                if owner is None:             # released meanwhile: try again
                    continue
                if owner.get("host") == me["host"] and isinstance(owner.get("pid"), int) \
                        and not _pid_alive(owner["pid"]):
                    os.remove(path)           # stale: its process died (e.g. SIGKILL)
                    continue
                who = (f"process {owner.get('pid')} on {owner.get('host')} ({owner.get('command', '?')})"
                       if owner else "an unreadable lock file")
                raise RunFolderError(f"{command}: {out} is in use by {who}; wait for it to finish, or delete "
                                     f"{path} if no such process is running")
        raise RunFolderError(f"{command}: could not take the lock {path}")
    finally:
        with contextlib.suppress(OSError):
            os.remove(candidate)


def release_lock(out, me):
    path = os.path.join(out, LOCK)
    owner = _read_lock(path)
    if owner and owner.get("pid") == me["pid"] and owner.get("host") == me["host"]:
        with contextlib.suppress(OSError):
            os.remove(path)


@contextlib.contextmanager
def open_run(out, command, resume=False, overwrite=False):
    """Check, lock and (with overwrite) clear run folder `out` for the duration of the block."""
    if resume and overwrite:
        raise RunFolderError(f"{command}: choose one of --resume and --overwrite")
    out = os.fspath(out)
    _check_path(out, command)
    _make_writable_folder(out, command)
    me = acquire_lock(out, command)
    try:
        files.remove_temp_files(out)         # what a killed save left behind
        found = existing_run_files(out)
        if found and not (resume or overwrite):
            raise RunFolderError(f"{command}: {out} already holds a run ({', '.join(found)}); add --resume to "
                                 "continue it or --overwrite to replace it")
        if overwrite:
            _clear(out)
        yield out
    finally:
        release_lock(out, me)
