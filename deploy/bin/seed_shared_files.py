"""Prepares the shared volumes before the console and the action server start (`STORE_ROLE=seed`:
an init container in Kubernetes, a one-shot service in compose).

    store_config/  the owner's files: copied from the image only where missing, so the owner's
                   edits survive a new image (a new required key is refused at start with the
                   file, key and fix: merge it by hand)
    data/          the training data: the image's hand-written files replace the volume's on every
                   start (the image is their source), files the image dropped are removed; the
                   owner's labels (nlu/owner_labelled.yml) and the generated variants stay
    models/        the model shelf (candidates/, kept/, the live and previous pointers)
    results/       training status and evaluation reports
    var/log/       the retrain's log (training.log)

Every copy goes through a temporary file and a rename, so a console starting at the same moment
never reads half a file. Usage: python deploy/bin/seed_shared_files.py /shared
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parents[2]
# Written in the volume by the owner's loop, never by the image.
KEPT_DATA_FILES = {Path("nlu/owner_labelled.yml"), Path("nlu/augmented.yml")}


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _files(root: Path) -> set[Path]:
    return {path.relative_to(root) for path in root.rglob("*") if path.is_file()}


def seed_store_config(image: Path, volume: Path) -> list[Path]:
    added = sorted(name for name in _files(image) if not (volume / name).exists())
    for name in added:
        _copy(image / name, volume / name)
    return added


def mirror_data(image: Path, volume: Path) -> tuple[list[Path], list[Path]]:
    wanted = _files(image) - KEPT_DATA_FILES
    for name in sorted(wanted):
        _copy(image / name, volume / name)
    stale = sorted(name for name in _files(volume) - wanted - KEPT_DATA_FILES if not name.name.startswith("."))
    for name in stale:
        (volume / name).unlink()
    return sorted(wanted), stale


def seed(shared: Path, app_root: Path = APP_ROOT) -> dict[str, list[Path]]:
    (shared / "models" / "candidates").mkdir(parents=True, exist_ok=True)
    (shared / "models" / "kept").mkdir(parents=True, exist_ok=True)
    (shared / "results").mkdir(parents=True, exist_ok=True)
    (shared / "var" / "log").mkdir(parents=True, exist_ok=True)
    added = seed_store_config(app_root / "store_config", shared / "store_config")
    copied, removed = mirror_data(app_root / "data", shared / "data")
    return {"store_config added": added, "data copied": copied, "data removed": removed}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 64
    for what, names in seed(Path(argv[1])).items():
        print(f"seed: {what}: {len(names)}" + (f" ({', '.join(map(str, names))})" if what != "data copied" and names else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
