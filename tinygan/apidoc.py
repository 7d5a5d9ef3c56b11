"""The public API, found by walking tinygan's namespaces, and a Markdown reference built from it.

`public_api()` yields (qualified name, object) for every class and function a user reaches
through a public namespace (tinygan, tinygan.nn, tinygan.nn.functional, tinygan.optim, ...), and
for the public methods and properties of each class. Nothing is listed by hand, so a new layer,
loss or scheduler appears here (and in tests/test_api_docs.py, which requires a docstring for
each) as soon as its namespace exports it. Only objects defined inside tinygan count: re-exported
NumPy functions, constants and modules are skipped.

    python -m tinygan.apidoc --out docs/api.md      # the API reference (tests check it is current)
"""
import argparse
import ast
import importlib
import inspect
import re
import sys

from tinygan import files

# The namespaces of the public surface, in the order of the reference. Those marked optional
# are listed when they exist (they are being added); a missing required one is an error.
NAMESPACES = (
    ("tinygan", False),
    ("tinygan.nn", False),
    ("tinygan.nn.functional", False),
    ("tinygan.nn.init", False),
    ("tinygan.nn.utils", True),
    ("tinygan.optim", False),
    ("tinygan.optim.lr_scheduler", True),
    ("tinygan.utils.data", True),
    ("tinygan.data", False),
    ("tinygan.cuda", False),
)


def _import(name, optional):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        # only the namespace itself (or a parent) being absent makes it optional; a broken import
        # inside an existing namespace is a bug to report, not a section to leave out
        if optional and exc.name is not None and name.startswith(exc.name):
            return None
        raise


def namespaces():
    """[(name, module)] for the public namespaces that exist here, in the reference's order."""
    found = [(name, _import(name, optional)) for name, optional in NAMESPACES]
    return [(name, module) for name, module in found if module is not None]


def _defined_in_tinygan(obj):
    module = getattr(obj, "__module__", None) or ""
    return module == "tinygan" or module.startswith("tinygan.")


def _is_api_object(obj):
    """A class or function defined in tinygan (not a module, constant or re-exported NumPy name)."""
    if inspect.ismodule(obj) or not _defined_in_tinygan(obj):
        return False
    return inspect.isclass(obj) or inspect.isfunction(obj) or inspect.isroutine(obj)


def _reexported_names(module):
    """Names a namespace's own source binds on purpose: by an assignment at module level
    (`cat = concatenate`) or by an import marked as a re-export (`# noqa: F401`, the project's
    marker for an import that is there to be used from outside). An import without the marker
    is an implementation detail (nn.functional's `from tinygan.tensor import Tensor`)."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return set()
    lines, names = source.splitlines(), set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            text = " ".join(lines[node.lineno - 1:node.end_lineno])
            if re.search(r"#\s*noqa(?!:)|#\s*noqa:[^#]*F401", text):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def namespace_members(module):
    """[(name, object)] of a namespace's public classes and functions, sorted by name.

    With `__all__`, exactly those names. Otherwise a name counts if its object is defined in the
    namespace (or in its package: nn.Conv2d lives in tinygan.nn.layers) or is re-exported on
    purpose (see _reexported_names); either way only classes and functions defined in tinygan."""
    declared = getattr(module, "__all__", None)
    package = module.__name__
    reexported = _reexported_names(module) if declared is None else set()
    members = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not _is_api_object(obj):
            continue
        home = obj.__module__
        if declared is not None:
            keep = name in declared
        else:
            keep = home == package or home.startswith(package + ".") or name in reexported
        if keep:
            members.append((name, obj))
    return sorted(members)


def _public_bases(cls, public_classes):
    """The classes of cls's MRO whose members are documented as cls's own: cls and its private
    or mixin bases, up to the first base that is public (its members are listed under it) or not
    tinygan's (object, ValueError). Returns (those classes, that base or None)."""
    own = []
    for klass in cls.__mro__:
        if klass is not cls and (klass in public_classes or not _defined_in_tinygan(klass)):
            return own, (None if klass is object else klass)
        own.append(klass)
    return own, None


def class_members(cls, public_classes=()):
    """[(name, object)] of a class's public methods and properties, sorted by name.

    Members of private bases and mixins (Tensor's InPlaceMethods) count as the class's own.
    A method overriding one of a public base (Linear.forward over Module.forward) is left out:
    it keeps the base's contract, which the base documents. Class attributes that are not
    routines or properties (Module.training) are left out too."""
    own, stop = _public_bases(cls, public_classes)
    members = {}
    for klass in reversed(own):                       # most-derived definition wins
        for name, value in vars(klass).items():
            if name.startswith("_") or (stop is not None and hasattr(stop, name)):
                continue
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if isinstance(value, property) or inspect.isfunction(value):
                members[name] = value
    return sorted(members.items())


def public_api():
    """Yield (qualified_name, object) for the public surface: each namespace's classes and
    functions, then each class's public methods and properties ("tinygan.Tensor.backward",
    "tinygan.nn.Module.parameters"). An object reachable under two names is yielded under both."""
    found = [(name, namespace_members(module)) for name, module in namespaces()]
    public_classes = {obj for _, members in found for _, obj in members if inspect.isclass(obj)}
    for ns, members in found:
        for name, obj in members:
            yield f"{ns}.{name}", obj
            if inspect.isclass(obj):
                for member, value in class_members(obj, public_classes):
                    yield f"{ns}.{name}.{member}", value


def own_doc(obj):
    """The object's own docstring, cleaned, or "" (never one inherited from a base class)."""
    doc = getattr(obj, "__doc__", None)              # a class's own __doc__ is None if it has none
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def signature(obj, name, method=False):
    """`name(args)` as inspect.signature gives it (a method without its self), with memory
    addresses removed so the text is the same on every run; a property is `name  (property)`."""
    if isinstance(obj, property):
        return f"{name}  (property)"
    try:
        sig = inspect.signature(obj)
        params = list(sig.parameters.values())
        if method and params and params[0].name in ("self", "cls"):
            sig = sig.replace(parameters=params[1:])
        text = str(sig)
    except (TypeError, ValueError):
        text = "(...)"
    prefix = "class " if inspect.isclass(obj) else ""
    return prefix + name + _ADDRESS.sub("", text)


def _alias_note(obj, name):
    real = getattr(obj, "__name__", name)
    return f"\n\nAlias of `{real}`." if inspect.isfunction(obj) and real not in (name, "<lambda>") else ""


_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def _markdown(doc):
    """A docstring as Markdown text: `<name>` outside code spans would be taken for an HTML tag
    and vanish, so its `<` is escaped; everything else is left as written."""
    out, end = [], 0
    for span in _CODE_SPAN.finditer(doc):
        out += [re.sub(r"<(?=[A-Za-z/!?])", "&lt;", doc[end:span.start()]), span.group(0)]
        end = span.end()
    out.append(re.sub(r"<(?=[A-Za-z/!?])", "&lt;", doc[end:]))
    return "".join(out)


def _entry(level, title, obj, shown_name, method=False):
    doc = _markdown(own_doc(obj)) or "*(no docstring)*"
    return (f"{'#' * level} `{title}`\n\n```python\n{signature(obj, shown_name, method)}\n```\n\n"
            f"{doc}{_alias_note(obj, shown_name)}\n")


def render():
    """The whole Markdown API reference as one string (deterministic: the same code gives the
    same text)."""
    found = [(name, module, namespace_members(module)) for name, module in namespaces()]
    public_classes = {obj for _, _, members in found for _, obj in members if inspect.isclass(obj)}
    parts = ["# tinygan API reference\n",
             "Generated from the docstrings by `python -m tinygan.apidoc --out docs/api.md`; "
             "do not edit by hand (tests/test_api_docs.py checks that this file is current).\n",
             "Namespaces: " + ", ".join(f"[`{name}`](#{name.replace('.', '')})" for name, _, _ in found) + ".\n"]
    for ns, module, members in found:
        parts.append(f"## {ns}\n")
        summary = own_doc(module).split("\n\n")[0]
        if summary:
            parts.append(summary + "\n")
        for name, obj in members:
            parts.append(_entry(3, f"{ns}.{name}", obj, name))
            if inspect.isclass(obj):
                for member, value in class_members(obj, public_classes):
                    parts.append(_entry(4, f"{name}.{member}", value, member, method=True))
    return "\n".join(parts)


def write(path):
    """Write the reference to `path` atomically (tinygan.files), as UTF-8."""
    text = render()
    with files.atomic_open(path) as f:
        f.write(text.encode("utf-8"))
    return text


def main(argv=None):
    """`python -m tinygan.apidoc [--out docs/api.md]`: write the API reference; returns 0."""
    parser = argparse.ArgumentParser(prog="python -m tinygan.apidoc", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="docs/api.md", help="the Markdown file to write (default: docs/api.md)")
    args = parser.parse_args(argv)
    write(args.out)
    count = sum(1 for _ in public_api())
    print(f"wrote {args.out}: {count} public names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
