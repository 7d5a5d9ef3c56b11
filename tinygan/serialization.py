"""save/load: nested dicts/lists of arrays and plain values in one .npz file.

Arrays are stored under their path in the tree ("model/conv1.weight"); everything else (ints,
floats, strings, the tree's shape) goes into one JSON header, so loading never needs pickle.
Writes go to a temp file in the same folder and are renamed over the target (atomic).
"""
import json
import os
import tempfile
import zipfile

import numpy as np

from tinygan.backend import to_numpy
from tinygan.errors import CheckpointError
from tinygan.tensor import Tensor

HEADER = "__tinygan__"
FORMAT = "tinygan-checkpoint-1"


def _encode(obj, path, arrays):
    if isinstance(obj, Tensor):
        obj = obj.data
    if hasattr(obj, "shape") and hasattr(obj, "dtype") and getattr(obj, "ndim", 0) > 0:
        arrays[path] = to_numpy(obj)
        return {"$array": path}
    if isinstance(obj, np.generic) or (hasattr(obj, "item") and getattr(obj, "ndim", None) == 0):
        return obj.item()
    if isinstance(obj, dict):
        return {"$dict": [[k, _encode(v, f"{path}/{k}" if path else str(k), arrays)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {"$list": [_encode(v, f"{path}/{i}", arrays) for i, v in enumerate(obj)],
                "tuple": isinstance(obj, tuple)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"save: cannot store a {type(obj).__name__} at {path!r}; use arrays, numbers, strings, "
                    "lists and dicts")


def _decode(node, arrays):
    if isinstance(node, dict):
        if "$array" in node:
            return arrays[node["$array"]]
        if "$dict" in node:
            return {k: _decode(v, arrays) for k, v in node["$dict"]}
        items = [_decode(v, arrays) for v in node["$list"]]
        return tuple(items) if node["tuple"] else items
    return node


def save(state, path):
    """Write a nested dict (model/optimiser state_dicts, RNG state, step, ...) to `path`."""
    arrays = {}
    tree = _encode(state, "", arrays)
    header = json.dumps({"format": FORMAT, "tree": tree})
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{HEADER: np.array(header)}, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load(path):
    """Read a file written by save(); arrays come back as NumPy arrays (allow_pickle=False)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            if HEADER not in npz.files:
                raise CheckpointError(f"load: {path} is not a tinygan checkpoint (no {HEADER} entry)")
            meta = json.loads(str(npz[HEADER]))
            if meta.get("format") != FORMAT:
                raise CheckpointError(f"load: {path} has unknown format {meta.get('format')!r}")
            arrays = {name: npz[name] for name in npz.files if name != HEADER}
    except CheckpointError:
        raise
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"load: {path} is corrupt or not a tinygan checkpoint ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    return _decode(meta["tree"], arrays)
