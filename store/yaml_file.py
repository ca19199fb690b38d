"""Reading one of the owner's YAML files: every failure is a ConfigError naming the file and line.

Stricter than yaml.safe_load where it would silently read something else than the owner meant:
a key written twice is refused (PyYAML keeps the last one: `first_kg_fee: 8` then `first_kg_fee:
80` would quote 80 with no word), and anchors/aliases (& and *) are refused (nobody needs them
in these files, and nested aliases make a small file expand to billions of values). A leading
BOM (Windows editors) is read as nothing."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


class _Refused(yaml.YAMLError):
    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key, self.problem = key, problem


def _line(node_or_event) -> str:
    mark = getattr(node_or_event, "start_mark", None)
    return f"line {mark.line + 1}" if mark else "(file)"


class _OwnerFileLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(_line(event), "anchors and aliases (& and *) are not allowed here: write each value out")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:  # a list or mapping as a key: the constructor says so below
                continue
            if first is not key_node:
                raise _Refused(f"{key} ({_line(key_node)})",
                               f"written twice (first at {_line(first)}): keep one and delete the other")
        return super().construct_mapping(node, deep)


_OwnerFileLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 lambda loader, node: loader.construct_mapping(node))


def read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return yaml.load(fh, Loader=_OwnerFileLoader)  # nosec B506: a SafeLoader subclass, stricter still
    except OSError as err:
        raise ConfigError(str(path), "(file)", f"cannot read: {err.strerror}")
    except UnicodeDecodeError:
        raise ConfigError(str(path), "(file)", "not UTF-8 text: save the file as UTF-8")
    except _Refused as err:
        raise ConfigError(str(path), err.key, err.problem)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ConfigError(str(path), where, f"not valid YAML: {getattr(err, 'problem', None) or err}")
    except RecursionError:
        raise ConfigError(str(path), "(file)", "nested too deeply: this is not an owner's file")


def read_mapping(path: Path) -> dict:
    """A file whose top level must be `key: value` pairs (an empty file is an empty mapping)."""
    raw = read_yaml(path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(str(path), "(top level)", "must be `name: value` lines, not a list or a single value")
    return raw
