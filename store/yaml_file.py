"""Reading one of the owner's YAML files: every failure is a ConfigError naming the file and line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


def read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf8") as fh:
            return yaml.safe_load(fh)
    except OSError as err:
        raise ConfigError(str(path), "(file)", f"cannot read: {err.strerror}")
    except UnicodeDecodeError:
        raise ConfigError(str(path), "(file)", "not UTF-8 text: save the file as UTF-8")
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ConfigError(str(path), where, f"not valid YAML: {getattr(err, 'problem', err)}")


def read_mapping(path: Path) -> dict:
    """A file whose top level must be `key: value` pairs (an empty file is an empty mapping)."""
    raw = read_yaml(path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(str(path), "(top level)", "must be `name: value` lines, not a list or a single value")
    return raw
