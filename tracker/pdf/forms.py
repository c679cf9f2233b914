"""The forms of each jurisdiction, read from forms/<jurisdiction key>.toml (generic.toml for the rest).

A form file holds what differs between municipalities: form numbers, titles, the articles in the
opening sentences, labels, notes. A file may say `extends = "generic"` and set only what differs;
tables are merged key by key, lists and text replaced. A folder named by KAIJI_FORMS is looked in
before the forms kaiji ships, so a group can add its city without touching kaiji.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..compat import tomllib
from ..errors import BadInput
from ..i18n import N_, _

GENERIC = "generic"
_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def _shipped():
    """kaiji's own form files: tracker.forms once installed; forms/ beside tracker/ in a plain checkout."""
    try:
        return resources.files("tracker.forms")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "forms"


def _find(key: str) -> tuple[str, str] | None:
    """(where, text) of forms/<key>.toml: the user's KAIJI_FORMS folder first, then kaiji's own."""
    if not _KEY.fullmatch(key):
        return None
    if folder := os.environ.get("KAIJI_FORMS"):
        if not Path(folder).expanduser().is_dir():
            raise BadInput(_("KAIJI_FORMS names {folder}, which is not a folder; point it at the folder of your form "
                             "files, or unset it.").format(folder=folder))
        p = Path(folder).expanduser() / f"{key}.toml"
        if p.is_file():
            try:
                return str(p), p.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInput(_("cannot read the form file {path} ({reason}); check that it is UTF-8 text.").format(
                    path=p, reason=exc)) from None
    shipped = _shipped().joinpath(f"{key}.toml")
    if shipped.is_file():
        return f"forms/{key}.toml", shipped.read_text("utf-8")
    return None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _read(key: str, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    found = _find(key)
    if found is None:
        raise BadInput(_("there is no form file {file}; kaiji ships {shipped}.").format(
            file=f"{key}.toml", shipped=", ".join(shipped())))
    where, text = found
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(_("the form file {file} is not valid TOML ({reason}); fix it or remove it.").format(
            file=where, reason=exc)) from None
    parent = data.pop("extends", None)
    if parent:
        if parent in seen + (key,):
            raise BadInput(_("the form file {file} extends {parent}, which extends it back; break the loop.").format(
                file=where, parent=parent))
        base = _read(parent, seen + (key,))[0]
        data = _merge(base, data)
    return data, where


def shipped() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in _shipped().iterdir()
                  if p.name.endswith(".toml"))


@dataclass
class Forms:
    """One jurisdiction's forms: `data` as merged from its file, and where it came from."""

    key: str
    where: str
    data: dict[str, Any]

    def section(self, *path: str) -> dict[str, Any]:
        node = self.data
        for p in path:
            node = node.get(p, {})
        return node

    def notice(self, kind: str) -> dict[str, Any]:
        """A notice's section with the shared [notice] keys beneath it; `like` borrows another kind's."""
        shared = {k: v for k, v in self.data["notice"].items() if not isinstance(v, dict) or k in ("labels", "values")}
        own = self.data["notice"].get(kind)
        if own is None:
            raise BadInput(_("the form file {file} has no {section} section; add one.").format(
                file=self.where, section=f"[notice.{kind}]"))
        if "like" in own:
            own = _merge(self.data["notice"][own["like"]], {k: v for k, v in own.items() if k != "like"})
        return _merge(shared, own)

    def fill(self, template: str, values: dict[str, Any]) -> str:
        """The template with its {placeholders} filled; an unknown placeholder is the form file's mistake."""
        try:
            return string.Formatter().vformat(template, (), _Values(values))
        except KeyError as exc:
            known = ", ".join("{" + k + "}" for k in sorted(values))
            raise BadInput(_("the form file {file} uses the placeholder {placeholder}, which kaiji does not fill here; "
                             "known: {known}.").format(file=self.where, placeholder="{" + exc.args[0] + "}",
                                                       known=known)) from None
        except (ValueError, IndexError) as exc:
            raise BadInput(_("the form file {file} has a malformed placeholder in {text} ({reason}).").format(
                file=self.where, text=repr(template[:40]), reason=exc)) from None


class _Values(dict):
    def __missing__(self, key: str):
        raise KeyError(key)


def file_for(jurisdiction_key: str) -> str:
    """The form file a jurisdiction prints with: its own, or the generic one."""
    return jurisdiction_key if _find(jurisdiction_key) is not None else GENERIC


def load(jurisdiction_key: str) -> Forms:
    """The forms for a jurisdiction: its own file, or the generic one."""
    key = file_for(jurisdiction_key)
    data, where = _read(key)
    if key != GENERIC:
        _check_types(data, _read(GENERIC)[0], where)
    return Forms(key, where, data)


def _check_types(data: dict[str, Any], generic: dict[str, Any], where: str, path: str = "") -> None:
    """Refuse a value of another kind than generic.toml's for the same key (title = 12345, say)."""
    for k, v in data.items():
        if k not in generic:
            continue
        g, name = generic[k], f"{path}{k}"
        if isinstance(g, dict) and isinstance(v, dict):
            _check_types(v, g, where, name + ".")
            continue
        text_list = isinstance(g, list) and all(isinstance(x, str) for x in g)
        kind = {str: N_("text"), bool: N_("true or false"), int: N_("a number"), float: N_("a number"),
                list: N_("a list of text") if text_list else N_("a list"), dict: N_("a table")}[type(g)]
        if isinstance(g, list):
            ok = isinstance(v, list) and (not text_list or all(isinstance(x, str) for x in v))
            # request.block: a kind may name another kind whose block it shares (group = "person").
            ok = ok or path == "request.block." and isinstance(v, str) and v in data
        elif isinstance(g, (int, float)) and not isinstance(g, bool):
            ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        else:
            ok = type(v) is type(g)
        if not ok:
            raise BadInput(_("the form file {file} sets {key} to {type} {value}, but it must be {kind}; fix it.")
                           .format(file=where, key=name, type=type(v).__name__, value=repr(str(v)[:40]), kind=_(kind)))
