"""Command-line options generated from a trainer's Config dataclass, so a default or a help
text is written once, in the Config (tinygan/gan/train.py, tinygan/vae/train.py):

    steps: int = option(2000, "training steps")
    loss: str = option("ns", "the objective", choices=LOSSES)
    lr: float | None = option(None, "default: the method's own")

Each field becomes --field-name (underscores as dashes) with the field's default, the type of its
annotation (`int | None` gives int) and its help text; other keyword arguments of option() go to
argparse (choices, metavar). A bool field becomes an on/off flag (store_true). None as a default
means "the method's own", which Config.check() resolves.
"""
import dataclasses
import types
import typing


def option(default, help, **argparse_kwargs):
    """A Config field with its command-line help (and argparse extras such as choices)."""
    return dataclasses.field(default=default, metadata={"help": help, **argparse_kwargs})


def _value_type(annotation):
    """int for int and for int | None (Optional[int])."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def add_options(parser, config_class):
    """One argparse option per field of config_class (a dataclass made with option())."""
    hints = typing.get_type_hints(config_class)
    for f in dataclasses.fields(config_class):
        extras = {k: v for k, v in f.metadata.items() if k != "help"}
        flag, kind, text = "--" + f.name.replace("_", "-"), _value_type(hints[f.name]), f.metadata.get("help", "")
        if kind is bool:
            assert f.default is False, f"{config_class.__name__}.{f.name}: a flag must default to False"
            parser.add_argument(flag, action="store_true", help=text.replace("%", "%%"), **extras)
        else:
            shown = "" if f.default is None else f" (default: {f.default})"
            parser.add_argument(flag, type=kind, default=f.default, help=(text + shown).replace("%", "%%"), **extras)


def config_from_args(config_class, args):
    """config_class built from the parsed options add_options added."""
    return config_class(**{f.name: getattr(args, f.name) for f in dataclasses.fields(config_class)})
