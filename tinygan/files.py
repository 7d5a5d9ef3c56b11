"""Every file tinygan writes goes through here: written to a temp file in the target's folder,
fsynced, then renamed over the target. A reader (or a crash, a full disk, a SIGKILL) sees either
the old file or the new one, never half of one. Temp files of a killed write are removed by
`remove_temp_files` when a run folder is opened again.
"""
import contextlib
import json
import os
import tempfile

TEMP_PREFIX = ".tmp-"
_UMASK = os.umask(0)        # read once (os.umask can only be read by setting it) and restored
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_open(path, mode="wb", newline=None):
    """`with atomic_open(path) as f: f.write(...)`: `path` changes only if the block succeeds."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=os.path.splitext(path)[1])
    try:
        with os.fdopen(fd, mode, newline=newline) as f:
            yield f
            f.flush()
            os.fchmod(f.fileno(), 0o666 & ~_UMASK)    # mkstemp makes 0600; a plain open() would not
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_folder(folder)                         # so the rename itself survives a power loss
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _fsync_folder(folder):
    with contextlib.suppress(OSError):                # not every filesystem can open a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_json(path, obj):
    with atomic_open(path, "w") as f:
        json.dump(obj, f, indent=2, allow_nan=True)


def write_text(path, text):
    with atomic_open(path, "w") as f:
        f.write(text)


def save_figure(fig, path, **savefig_kwargs):
    """A matplotlib figure as PNG (or the format of path's extension), atomically."""
    fmt = os.path.splitext(path)[1].lstrip(".") or "png"
    with atomic_open(path) as f:
        fig.savefig(f, format=fmt, **savefig_kwargs)


def save_npy(path, array):
    import numpy as np
    with atomic_open(path) as f:
        np.save(f, array, allow_pickle=False)


def remove_temp_files(folder, subfolders=("progress",)):
    """Delete the temp files a killed write left in a run folder and the subfolders it writes
    into (never elsewhere); returns their paths."""
    removed = []
    for where in [folder] + [os.path.join(folder, s) for s in subfolders]:
        if os.path.isdir(where):
            removed += [os.path.join(where, n) for n in os.listdir(where) if n.startswith(TEMP_PREFIX)]
    for path in removed:
        with contextlib.suppress(OSError):
            os.remove(path)
    return removed
