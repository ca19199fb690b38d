"""`make check-config`: load store_config/ as the action server would and report the first error."""
from __future__ import annotations

import sys

from .errors import ConfigError
from .loader import load_store


def main() -> int:
    try:
        store = load_store()
    except ConfigError as err:
        print(f"store_config is invalid: {err}", file=sys.stderr)
        return 1
    zones = ", ".join(f"{z.name} {z.first_kg_fee}" for z in store.config.shipping.zones)
    print(f"store_config is valid: {store.config.store.name}; zones {zones}; "
          f"{len(store.places.names())} place names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
