"""save/load: nested dicts/lists of arrays and plain values in one .npz file.

Arrays are stored under their path in the tree ("model/conv1.weight"); everything else (ints,
floats, strings, the tree's shape) goes into one JSON header, so loading never needs pickle.
Writes are atomic (tinygan.files). A dict key may not contain "/" (it would collide with a nested
path: {"a/b": x} and {"a": {"b": y}} both store "a/b"), and the header's name is reserved.
Loading checks every array's declared shape against the bytes stored before allocating it.
"""
import json
import math
import zipfile

import numpy as np

from tinygan import files
from tinygan.backend import to_numpy
from tinygan.errors import CheckpointError
from tinygan.tensor import Tensor

HEADER = "__tinygan__"
FORMAT = "tinygan-checkpoint-1"


def _encode(obj, path, arrays):
    if isinstance(obj, Tensor):
        obj = obj.array
    if hasattr(obj, "shape") and hasattr(obj, "dtype") and getattr(obj, "ndim", 0) > 0:
        if path in arrays:             # e.g. keys 1 and "1", or "" beside a top-level key
            raise ValueError(f"save: two entries would both be stored as {path!r}; rename one of them")
        if obj.dtype.hasobject:
            raise ValueError(f"save: {path!r} is an array of Python objects, which load() will not unpickle")
        arrays[path] = to_numpy(obj)
        return {"$array": path}
    if isinstance(obj, np.generic) or (hasattr(obj, "item") and getattr(obj, "ndim", None) == 0):
        return obj.item()
    if isinstance(obj, dict):
        for k in obj:
            if not isinstance(k, (str, int)) or "/" in str(k) or k == HEADER:
                raise ValueError(f"save: key {k!r} at {path or 'the top'!r} cannot be stored: keys must be strings "
                                 f"(or ints) without '/', and not {HEADER!r}")
        return {"$dict": [[k, _encode(v, f"{path}/{k}" if path else str(k), arrays)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {"$list": [_encode(v, f"{path}/{i}", arrays) for i, v in enumerate(obj)],
                "tuple": isinstance(obj, tuple)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"save: cannot store a {type(obj).__name__} at {path!r}; use arrays, numbers, strings, "
                    "lists and dicts")


def _decode(node, arrays, path):
    if isinstance(node, dict):
        if "$array" in node:
            if node["$array"] not in arrays:
                raise CheckpointError(f"load: {path} refers to array {node['$array']!r}, which it does not contain")
            return arrays[node["$array"]]
        if "$dict" in node:
            return {k: _decode(v, arrays, path) for k, v in node["$dict"]}
        if "$list" in node:
            items = [_decode(v, arrays, path) for v in node["$list"]]
            return tuple(items) if node.get("tuple") else items
        raise CheckpointError(f"load: {path} has a malformed header (an object with keys {sorted(node)[:3]})")
    return node


def save(state, path):
    """Write a nested dict (model/optimiser state_dicts, RNG state, step, ...) to `path`, a file
    name (written atomically) or an open binary file object such as io.BytesIO."""
    arrays = {}
    tree = _encode(state, "", arrays)
    header = json.dumps({"format": FORMAT, "tree": tree})
    if hasattr(path, "write"):
        np.savez(path, **{HEADER: np.array(header)}, **arrays)
        return
    with files.atomic_open(path) as f:
        np.savez(f, **{HEADER: np.array(header)}, **arrays)


def _read_member(archive, info, path):
    """One .npy member of the archive, after checking that its header's shape fits its bytes."""
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise CheckpointError(f"load: {path}: {info.filename} has .npy format {version}, not 1.0 or 2.0")
        shape, _, dtype = read_header(f)
        if dtype.hasobject:
            raise CheckpointError(f"load: {path} stores Python objects in {info.filename} (pickle is never loaded)")
        declared = math.prod(shape) * dtype.itemsize
        if info.compress_type != zipfile.ZIP_STORED and info.file_size > 1000 * info.compress_size + 2 ** 20:
            raise CheckpointError(f"load: {path}: {info.filename} inflates {info.compress_size} bytes to "
                                  f"{info.file_size} (save() never compresses)")
        if declared > info.file_size:
            raise CheckpointError(f"load: {path}: {info.filename} declares shape {shape} ({declared} bytes) but "
                                  f"holds {info.file_size} bytes")
    with archive.open(info) as f:
        return np.lib.format.read_array(f, allow_pickle=False)


def load(path, map_location=None, weights_only=None):
    """Read a file (name or open binary file object) written by save(); arrays come back as NumPy
    arrays (never unpickled). Anything that is not a tinygan checkpoint raises CheckpointError
    naming the file.

    `map_location` and `weights_only` are accepted for PyTorch code: nothing is ever unpickled
    (weights_only is always in effect), and load_state_dict copies the arrays onto the model's
    own device, so a checkpoint saved on one device loads on any."""
    if isinstance(map_location, str):                # a typo such as 'gpu' is an error, as in PyTorch
        from tinygan.devices import as_device
        as_device(map_location, "load(map_location=...)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = {i.filename[:-len(".npy")]: i for i in archive.infolist() if i.filename.endswith(".npy")}
            if HEADER not in members:
                raise CheckpointError(f"load: {path} is not a tinygan checkpoint (no {HEADER} entry)")
            meta = json.loads(str(_read_member(archive, members.pop(HEADER), path)))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT or "tree" not in meta:
                what = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
                raise CheckpointError(f"load: {path} has an unknown header ({what!r}; expected {FORMAT!r} with a tree)")
            arrays = {name: _read_member(archive, info, path) for name, info in members.items()}
        return _decode(meta["tree"], arrays, path)
    except (CheckpointError, FileNotFoundError):
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, TypeError, MemoryError, AttributeError,
            RecursionError, json.JSONDecodeError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise CheckpointError(f"load: {path} is corrupt or not a tinygan checkpoint ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
