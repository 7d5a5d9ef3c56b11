"""A study spec: a small TOML file that expands to one checked trainer config per run.

    kind = "gan"                          # gan: tinygan.gan.train.Config's fields; vae: tinygan.vae.train.Config's
    name = "mode-collapse"                # optional: a title for the report
    folder = "{data}/{method}/seed{seed}" # optional: each run's folder under the sweep's DIR (see below)
    tensorboard = false                   # optional: event files in every run (default: when installed)

    [config]                              # fields every run shares
    steps = 10000
    eval_every = 10000

    [grid]                                # lists, multiplied: every run has one value of each
    data = ["ring", "grid"]
    seed = [0, 1, 2, 3, 4]

    [methods.NS-GAN]                      # optional named methods, one per run; each a table of fields,
    loss = "ns"                           #   and a list inside one multiplies within that method only
    [methods.PacGAN]
    loss = "ns"
    pack = [2, 4]

    [evaluate]                            # what the report tabulates / what each model is scored with
    metrics = ["modes", "hq", "kl"]       # gan: keys of metrics.json's "final" (what train already writes)
                                          # vae: "all" or names of tinygan.metrics.disentanglement.ALL
    sizes = "reduced"                     # vae: quick | reduced | full (disentanglement_lib's own sizes)

The runs are methods (in file order) × each method's lists × the [grid] lists, in that order; a
field is set in one place only (a method may override [config]). Every config is checked with
the trainer's own Config.check(), so a spec that expands has no run that fails on its options.

A run is named by its settings (the method and the value of every list axis): by default
`<method>_<axis>=<value>_...` (e.g. `PacGAN_pack=2_data=ring_seed=0`), or the `folder` template,
whose {fields} are the settings and {method}. Values are written without characters that have a
meaning in a path; two runs that would share a folder are refused.
"""
import dataclasses
import itertools
import math
import os
import re
import tomllib
import types
import typing

from tinygan.metrics.disentanglement_sizes import METRIC_SIZES

KINDS = ("gan", "vae")
TOP_LEVEL = ("kind", "name", "description", "folder", "tensorboard", "config", "grid", "methods", "evaluate")
GAN_METRICS = ("modes", "hq", "kl", "w1", "mmd2", "fd", "classes", "class_kl")   # what train gan writes
SIZES = tuple(METRIC_SIZES)       # full | quick | reduced
# the score each disentanglement metric is reported by (Locatello et al. 2019's choice)
MAIN_SCORES = {"beta_vae": "eval_accuracy", "factor_vae": "eval_accuracy", "mig": "discrete_mig",
               "dci": "disentanglement", "modularity_explicitness": "modularity_score", "sap": "SAP_score"}
STUDIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "studies")


class SpecError(ValueError):
    """A spec that cannot be expanded: one line naming the file and the key."""


@dataclasses.dataclass(frozen=True)
class RunSpec:
    name: str           # the run folder, relative to the sweep's DIR ("/" between levels)
    method: str         # "" without [methods]
    settings: dict      # the value of each list axis (method's first, then [grid]'s)
    config: dict        # every Config field, as the trainer's check() resolved them

    def label(self, without=("seed",)):
        """method and the settings not in `without` ("beta-vae beta=4"): a configuration over seeds."""
        parts = [self.method] + [f"{k}={value_text(v)}" for k, v in self.settings.items() if k not in without]
        return " ".join(p for p in parts if p) or "run"

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Spec:
    kind: str
    config: dict = dataclasses.field(default_factory=dict)
    grid: dict = dataclasses.field(default_factory=dict)
    methods: dict = dataclasses.field(default_factory=dict)
    evaluate: dict = dataclasses.field(default_factory=dict)
    name: str = ""
    description: str = ""
    folder: str = ""
    tensorboard: bool | None = None
    source: str = "<spec>"

    def to_dict(self):
        d = {k: v for k, v in dataclasses.asdict(self).items() if k != "source" and v not in ("", None, {})}
        return {"kind": self.kind, **d}

    def runs(self):
        """Every run of the study, checked and named (SpecError on the first problem)."""
        return expand(self)

    def metrics(self):
        """The evaluation's metric names: gan metrics.json keys, vae disentanglement metric names."""
        chosen = self.evaluate.get("metrics", "all")
        if self.kind == "gan":
            return list(GAN_METRICS) if chosen == "all" else list(chosen)
        from tinygan.metrics import disentanglement as dm
        return list(dm.ALL) if chosen == "all" else list(chosen)


# ---- reading -----------------------------------------------------------------------------------
def load(path):
    """The Spec in TOML file `path`, or the study of that name shipped in tinygan/sweep/studies/."""
    path = find(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})") from None
    return from_dict(data, source=path)


def find(path):
    """`path` itself, or a shipped study by name (mode-collapse, metric-agreement, ...)."""
    if os.path.isfile(path):
        return path
    shipped = os.path.join(STUDIES, f"{os.path.basename(path).removesuffix('.toml')}.toml")
    if os.sep not in path and os.path.isfile(shipped):
        return shipped
    names = ", ".join(sorted(n.removesuffix(".toml") for n in os.listdir(STUDIES) if n.endswith(".toml")))
    raise FileNotFoundError(f"sweep: no spec file {path} (shipped studies: {names})")


def from_dict(data, source="<spec>"):
    """A Spec from parsed TOML (or an equivalent dict), its sections checked for shape and names."""
    where = source
    unknown = sorted(set(data) - set(TOP_LEVEL))
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {unknown}; a spec has {', '.join(TOP_LEVEL)}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise SpecError(f"{where}: kind = {kind!r}; choose kind = \"gan\" or kind = \"vae\"")
    fields = config_fields(kind)
    config = _fields(data.get("config", {}), fields, f"{where}: [config]", lists=False)
    grid = _fields(data.get("grid", {}), fields, f"{where}: [grid]", lists=True)
    methods = data.get("methods", {})
    if not isinstance(methods, dict) or not all(isinstance(m, dict) for m in methods.values()):
        raise SpecError(f"{where}: [methods] must hold one table per method ([methods.NAME] with fields)")
    methods = {name: _fields(table, fields, f"{where}: [methods.{name}]", lists=None)
               for name, table in methods.items()}
    for key in grid:
        if key in config:
            raise SpecError(f"{where}: {key!r} is in both [config] and [grid]; set it in one place")
        for name, table in methods.items():
            if key in table:
                raise SpecError(f"{where}: {key!r} is in both [grid] and [methods.{name}]; set it in one place")
    spec = Spec(kind=kind, config=config, grid=grid, methods=methods, source=source,
                evaluate=_evaluate(data.get("evaluate", {}), kind, where),
                **{k: _string(data, k, where) for k in ("name", "description", "folder")})
    if "tensorboard" in data:
        if not isinstance(data["tensorboard"], bool):
            raise SpecError(f"{where}: tensorboard = {data['tensorboard']!r}; use true or false")
        spec.tensorboard = data["tensorboard"]
    return spec


def config_fields(kind):
    """{field: value type} of the trainer's Config (int for `int | None`)."""
    config_class = trainer(kind).Config
    hints = typing.get_type_hints(config_class)
    out = {}
    for f in dataclasses.fields(config_class):
        kind_of = hints[f.name]
        if typing.get_origin(kind_of) in (typing.Union, types.UnionType):
            kind_of = next(a for a in typing.get_args(kind_of) if a is not type(None))
        out[f.name] = kind_of
    return out


def trainer(kind):
    """The trainer module (Config, train, load_run) of kind "gan" | "vae"."""
    if kind == "gan":
        from tinygan.gan import train
    else:
        from tinygan.vae import train
    return train


def _string(data, key, where):
    value = data.get(key, "")
    if not isinstance(value, str):
        raise SpecError(f"{where}: {key} must be a string, got {value!r}")
    return value


def _fields(table, fields, where, lists):
    """Check a table of Config fields: known names, values of the field's type. lists True: every
    value a non-empty list; False: no lists; None: either (a method's table)."""
    if not isinstance(table, dict):
        raise SpecError(f"{where} must be a table of fields")
    out = {}
    for key, value in table.items():
        if key not in fields:
            raise SpecError(f"{where}: {key!r} is not a field of the trainer's Config; choose from "
                            f"{', '.join(fields)}")
        if isinstance(value, list):
            if lists is False:
                raise SpecError(f"{where}: {key} = {value!r} is a list; lists go in [grid] or a method's table")
            if not value:
                raise SpecError(f"{where}: {key} is an empty list (no run would have a value)")
            out[key] = [_value(v, fields[key], f"{where}: {key}") for v in value]
        else:
            if lists is True:
                raise SpecError(f"{where}: {key} = {value!r} must be a list of values (fixed ones go in [config])")
            out[key] = _value(value, fields[key], f"{where}: {key}")
    return out


def _value(value, kind, where):
    """A TOML value as the field's type (an integer is accepted for a float field)."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind in (int, float, str, bool) and (type(value) is not kind):
        raise SpecError(f"{where} = {value!r}: the field is a {kind.__name__}")
    if kind is float and not math.isfinite(value):
        raise SpecError(f"{where} = {value!r}: must be finite")
    return value


def _evaluate(table, kind, where):
    if not isinstance(table, dict):
        raise SpecError(f"{where}: [evaluate] must be a table")
    allowed = {"metrics"} | ({"sizes", "seed"} if kind == "vae" else set())
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SpecError(f"{where}: [evaluate] of a {kind} study has no {unknown}; it has {sorted(allowed)}")
    metrics = table.get("metrics", "all")
    if kind == "gan":
        known = GAN_METRICS
    else:
        from tinygan.metrics import disentanglement as dm
        known = tuple(dm.ALL)
    if metrics != "all":
        if not isinstance(metrics, list) or not metrics:
            raise SpecError(f"{where}: [evaluate] metrics must be \"all\" or a non-empty list of {', '.join(known)}")
        bad = [m for m in metrics if m not in known]
        if bad:
            raise SpecError(f"{where}: [evaluate] unknown metric(s) {bad}; choose from {', '.join(known)}")
    if table.get("sizes", "reduced") not in SIZES:
        raise SpecError(f"{where}: [evaluate] sizes = {table['sizes']!r}; choose one of {', '.join(SIZES)}")
    if "seed" in table and (type(table["seed"]) is not int or table["seed"] < 0):
        raise SpecError(f"{where}: [evaluate] seed must be a whole number >= 0 (default: each run's seed)")
    return dict(table)


# ---- expanding ---------------------------------------------------------------------------------
def expand(spec):
    """[RunSpec, ...] in the study's order; every config checked by the trainer, every name unique."""
    train = trainer(spec.kind)
    field_names = [f.name for f in dataclasses.fields(train.Config)]
    methods = spec.methods or {"": {}}
    grid_axes = list(spec.grid.items())
    runs, names = [], {}
    for method, table in methods.items():
        fixed = {k: v for k, v in table.items() if not isinstance(v, list)}
        axes = [(k, v) for k, v in table.items() if isinstance(v, list)] + grid_axes
        keys = [k for k, _ in axes]
        base = {k: v for k, v in {**spec.config, **fixed}.items() if k not in keys}   # a method's list wins
        for values in itertools.product(*(v for _, v in axes)):
            settings = dict(zip(keys, values))
            name = run_name(spec, method, settings)
            try:
                checked = train.Config(**base, **settings).check()
            except (ValueError, TypeError) as exc:
                raise SpecError(f"{spec.source}: run {name}: {exc}") from None
            if name in names:
                raise SpecError(f"{spec.source}: runs {names[name]} and {_describe(method, settings)} would share "
                                f"the folder {name}; add the setting that tells them apart to `folder`")
            names[name] = _describe(method, settings)
            config = {k: getattr(checked, k) for k in field_names}
            runs.append(RunSpec(name=name, method=method, settings=settings, config=config))
    return runs


def _describe(method, settings):
    return " ".join([f"[{method}]" if method else ""] + [f"{k}={v!r}" for k, v in settings.items()]).strip()


def run_name(spec, method, settings):
    """The run's folder under DIR, from its method and settings (the `folder` template if given)."""
    if spec.folder:
        values = {k: slug(v) for k, v in settings.items()}
        values["method"] = slug(method)
        try:
            name = spec.folder.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise SpecError(f"{spec.source}: folder = {spec.folder!r} names {exc}, which is not a setting of "
                            f"every run (settings: method, {', '.join(settings)})") from None
    else:
        parts = ([slug(method)] if method else []) + [f"{k}={slug(v)}" for k, v in settings.items()]
        name = "_".join(parts) or "run"
    levels = name.split("/")
    if any(level in ("", ".", "..") for level in levels):
        raise SpecError(f"{spec.source}: run folder {name!r} (from folder = {spec.folder!r}) has an empty, "
                        "'.' or '..' level")
    return name


def value_text(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def slug(value):
    """A setting as a folder-name piece: spaces become _, characters other than letters, digits and
    . _ = + - are dropped ("Unrolled GAN (K=5)" -> "Unrolled_GAN_K=5", 4.0 -> "4")."""
    return re.sub(r"[^A-Za-z0-9._=+-]", "", value_text(value).replace(" ", "_"))
