"""What every synthkd command shares: options built from settings dataclasses, one-line errors, the JSON record.

A command is three steps: parse the options into a settings dataclass (:func:`add_options`,
:func:`settings_from`), call the stage function, print the record it returns as one JSON line (:func:`run`).
Known errors become ``prog: error: message`` on one line and exit status 2; library code reports progress
through tqdm and ``logging``, which :func:`run` points at stderr (warnings only with ``--quiet``).

The options are built by hand from the dataclass fields rather than with a library such as tyro or
simple-parsing: the commands keep their established spellings (``--n``/``--num-images``, flags that set
a constant), hidden deprecated aliases that print one warning line, and one-line errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import MISSING, Field, fields, is_dataclass
from typing import Any, get_args, get_type_hints

from synthkd.core.runtime import torchrun_place
from synthkd.core.settings import Fault, UsageError


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default after its help unless the help already says it, or it is None or False."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False or isinstance(action, argparse._StoreConstAction) \
                or "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments on one line (``prog: error: ...``) and shows defaults in --help."""

    def __init__(self, **kwargs):
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(**kwargs)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class _Deprecated(argparse.Action):
    """An old spelling of an option: still works, says once what to write instead."""

    def __init__(self, option_strings, dest, instead: str, **kwargs):
        super().__init__(option_strings, dest, **kwargs)
        self.instead = instead

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog}: warning: {option_string} is deprecated and will be removed in the next release; "
              f"use {self.instead}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def _default(f: Field) -> Any:
    if f.default is not MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not MISSING else MISSING


def _option_fields(cls: type) -> list[tuple[Field, type | None]]:
    """The fields of ``cls`` that are options or groups of options, with the nested dataclass of each group."""
    hints = get_type_hints(cls)
    out = []
    for f in fields(cls):
        if "group" in f.metadata:  # a settings dataclass, or one or None
            out.append((f, next(t for t in (hints[f.name], *get_args(hints[f.name])) if is_dataclass(t))))
        elif f.metadata.get("flags"):
            out.append((f, None))
    return out


def add_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, cls: type, prefix: str = "",
                skip: tuple[str, ...] = (), optional: bool = False) -> None:
    """Add an option for every option field of the settings dataclass ``cls`` (nested settings as groups; a group
    whose field defaults to None is optional: its required options become optional too)."""
    for f, nested in _option_fields(cls):
        if f.name in skip:
            continue
        if nested is not None:
            target = parser.add_argument_group(f.metadata["group"]) if isinstance(parser, Parser) else parser
            add_options(target, nested, f"{prefix}{f.name}.", optional=optional or _default(f) is None)
            continue
        meta, default = f.metadata, _default(f)
        if optional and default is MISSING:
            default = None
        flags, kwargs = meta["flags"], dict(meta["argparse"])
        if not flags[0].startswith("-"):  # a positional argument
            parser.add_argument(f"{prefix}{f.name}", metavar=flags[0], help=meta["help"], **kwargs)
            continue
        dest, help = f"{prefix}{f.name}", meta["help"]
        if kwargs.get("action") not in ("store_true", "store_const"):
            if "choices" not in kwargs:
                kwargs.setdefault("metavar", flags[0].lstrip("-").upper().replace("-", "_"))
            if meta["show"] is not None and default not in (None, MISSING):
                help += f" (default: {meta['show'](default)})"
        if default is MISSING:
            kwargs["required"] = True
        else:  # argparse appends to a list of its own: it starts from None, and None means the field's default
            kwargs["default"] = None if kwargs.get("action") == "append" else default
        parser.add_argument(*flags, dest=dest, help=help, **kwargs)
        if meta["deprecated"]:
            for key in ("default", "required", "metavar"):
                kwargs.pop(key, None)
            parser.add_argument(*meta["deprecated"], dest=dest, help=argparse.SUPPRESS, default=argparse.SUPPRESS,
                                action=_Deprecated, instead=flags[0], **kwargs)


def settings_from(cls: type, args: argparse.Namespace, prefix: str = "", **overrides: Any) -> Any:
    """The settings dataclass ``cls`` filled from parsed options (lists become tuples) and ``overrides``."""
    values: dict[str, Any] = {}
    for f, nested in _option_fields(cls):
        if nested is not None:
            required = [g.name for g, _ in _option_fields(nested) if _default(g) is MISSING]
            if _default(f) is None and all(getattr(args, f"{prefix}{f.name}.{r}", None) is None for r in required):
                values[f.name] = None  # an optional group that was not given
            else:
                values[f.name] = settings_from(nested, args, f"{prefix}{f.name}.")
        elif hasattr(args, f"{prefix}{f.name}"):
            value = getattr(args, f"{prefix}{f.name}")
            if value is None and f.metadata["argparse"].get("action") == "append":
                continue
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**{**values, **overrides})


def command_line(settings: Any) -> list[str]:
    """The options that reproduce ``settings`` (those that differ from their defaults), e.g. to print a command."""
    argv: list[str] = []
    for f, nested in _option_fields(type(settings)):
        value = getattr(settings, f.name)
        if nested is not None:
            argv += command_line(value) if value is not None else []
            continue
        meta, default = f.metadata, _default(f)
        if default is not MISSING and value == default:
            continue
        flag, kwargs = meta["flags"][0], meta["argparse"]
        action = kwargs.get("action")
        show = meta["show"] or str
        if action == "store_true":
            argv += [flag] if value else []
        elif action == "store_const":
            argv += [flag] if value == kwargs["const"] else []
        elif action == "append":
            for item in value:
                argv += [flag, show(item)]
        elif not flag.startswith("-"):
            argv += [show(v) for v in value] if kwargs.get("nargs") else [show(value)]
        elif kwargs.get("nargs"):
            argv += [flag, *(show(v) for v in value)]
        else:
            argv += [flag, show(value)]
    return argv


class Terminated(BaseException):
    """SIGTERM, raised where the command is (like KeyboardInterrupt for SIGINT), so that it stops as a Ctrl-C
    does: finished files stay, half-written ones are removed."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def run(prog: str, body: Callable[[], Any], errors: tuple[type[Exception], ...] = (), quiet: bool = False,
        argv: list[str] | None = None, resume_flag: str | None = None) -> int:
    """Run a command body with logging on stderr; a returned record (a dict) is printed as one JSON line.

    :class:`UsageError` and the ``errors`` given (bad input) become ``prog: error: message`` and exit status 2;
    a :class:`Fault` or an ``OSError`` (a file that cannot be read or written) the same line and exit status 1.
    SIGINT (Ctrl-C) and SIGTERM stop it with one line naming the command that continues it (``prog`` with its
    ``argv``, and ``resume_flag`` if the command needs one to continue), and exit status 130 or 143. Anything
    else is a bug in synthkd: one line, exit status 70 (``SYNTHKD_TRACEBACK=1`` shows the traceback)."""
    logging.basicConfig(format=f"{prog}: %(message)s", level=logging.WARNING if quiet else logging.INFO,
                        stream=sys.stderr, force=True)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        result = body()
    except Fault as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except (UsageError, *errors) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{prog}: error: {os_error_text(exc)}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Terminated) as exc:
        command = [prog, *(sys.argv[1:] if argv is None else argv)]
        command = shlex.join(command + ([resume_flag] if resume_flag and resume_flag not in command else []))
        print(f"{prog}: stopped by {'Ctrl-C' if isinstance(exc, KeyboardInterrupt) else 'SIGTERM'}; to continue "
              f"where it stopped, run: {command}", file=sys.stderr)
        return 130 if isinstance(exc, KeyboardInterrupt) else 143
    except Exception as exc:
        if os.environ.get("SYNTHKD_TRACEBACK"):
            raise
        text = " ".join(str(exc).split())[:300] or type(exc).__name__
        print(f"{prog}: internal error (a bug in synthkd, please report it): {type(exc).__name__}: {text}",
              file=sys.stderr)
        return 70
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if isinstance(result, dict):
        if torchrun_place().main:  # under torchrun, one line for the job
            print(json.dumps(result), flush=True)
        return 0
    return int(result or 0)


def os_error_text(exc: OSError) -> str:
    """An ``OSError`` as one line: the file and the system's reason (``PATH: No space left on device``)."""
    if exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return " ".join(str(exc).split()) or type(exc).__name__


def is_settings(value: Any) -> bool:
    return is_dataclass(value) and not isinstance(value, type)
