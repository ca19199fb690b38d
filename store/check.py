"""`make check-config` (python -m store.check [DIR]): load store_config/ (or DIR) as every process
does and report the first error with its file, key and fix."""
from __future__ import annotations

import sys
from pathlib import Path

from .config import DEFAULT_CONFIG_DIR
from .errors import ConfigError
from .loader import load_store


def main(argv: list[str]) -> int:
    config_dir = Path(argv[0]) if argv else DEFAULT_CONFIG_DIR
    try:
        store = load_store(config_dir)
    except ConfigError as err:
        print(f"store_config is invalid: {err}", file=sys.stderr)
        return 1
    zones = ", ".join(f"{z.name} {z.first_kg_fee}" for z in store.config.shipping.zones)
    print(f"store_config is valid: {store.config.store.name}; zones {zones}; "
          f"{len(store.places.names())} place names")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
