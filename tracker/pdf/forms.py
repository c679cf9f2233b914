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
            raise BadInput(f"KAIJI_FORMS names {folder}, which is not a folder; point it at the folder of your form "
                           "files, or unset it.")
        p = Path(folder).expanduser() / f"{key}.toml"
        if p.is_file():
            try:
                return str(p), p.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInput(f"cannot read the form file {p} ({exc}); check that it is UTF-8 text.") from None
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
        raise BadInput(f"there is no form file {key}.toml; kaiji ships {', '.join(shipped())}.")
    where, text = found
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"the form file {where} is not valid TOML ({exc}); fix it or remove it.") from None
    parent = data.pop("extends", None)
    if parent:
        if parent in seen + (key,):
            raise BadInput(f"the form file {where} extends {parent}, which extends it back; break the loop.")
        base, _ = _read(parent, seen + (key,))
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
            raise BadInput(f"the form file {self.where} has no [notice.{kind}] section; add one.")
        if "like" in own:
            own = _merge(self.data["notice"][own["like"]], {k: v for k, v in own.items() if k != "like"})
        return _merge(shared, own)

    def fill(self, template: str, values: dict[str, Any]) -> str:
        """The template with its {placeholders} filled; an unknown placeholder is the form file's mistake."""
        try:
            return string.Formatter().vformat(template, (), _Values(values))
        except KeyError as exc:
            raise BadInput(f"the form file {self.where} uses the placeholder {{{exc.args[0]}}}, which kaiji does "
                           f"not fill here; known: {', '.join('{' + k + '}' for k in sorted(values))}.") from None
        except (ValueError, IndexError) as exc:
            raise BadInput(f"the form file {self.where} has a malformed placeholder in {template[:40]!r} ({exc}).") \
                from None


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
        kind = {str: "text", bool: "true or false", int: "a number", float: "a number",
                list: "a list of text" if text_list else "a list", dict: "a table"}[type(g)]
        if isinstance(g, list):
            ok = isinstance(v, list) and (not text_list or all(isinstance(x, str) for x in v))
            # request.block: a kind may name another kind whose block it shares (group = "person").
            ok = ok or path == "request.block." and isinstance(v, str) and v in data
        elif isinstance(g, (int, float)) and not isinstance(g, bool):
            ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        else:
            ok = type(v) is type(g)
        if not ok:
            raise BadInput(f"the form file {where} sets {name} to {type(v).__name__} {str(v)[:40]!r}, but it must be "
                           f"{kind}; fix it.")
