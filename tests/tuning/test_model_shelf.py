"""The models/ shelf on tmp dirs: keeping models under fingerprinted names, the live and previous
pointers written atomically, and missing, dangling or hand-made pointers reported clearly."""
from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from tuning import ModelShelf, Pointers, ShelfError, model_id_of, model_name
from tuning.model_shelf import fingerprinted_name, sha256_of  # this module's own helpers


def fake_model(path: Path, model_id: str) -> Path:
    """A tar.gz shaped like a Rasa model as far as the shelf reads one (metadata.json last)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, body in (("components/x.json", b"{}"),
                           ("metadata.json", json.dumps({"model_id": model_id}).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return path


@pytest.fixture
def shelf(tmp_path) -> ModelShelf:
    return ModelShelf(tmp_path / "models")


def test_an_empty_shelf_has_no_live_model_and_no_candidates(shelf):
    assert shelf.live() is None and shelf.previous() is None
    assert shelf.candidates() == []


def test_a_kept_model_gets_a_fingerprinted_name_and_a_candidate_keeps_its_own(shelf, tmp_path):
    plain = shelf.keep(fake_model(tmp_path / "store.tar.gz", "a"))
    assert plain.parent == shelf.kept_dir.resolve()
    assert model_name(plain).endswith(f"-{sha256_of(plain)[:8]}")
    candidate = fake_model(shelf.candidates_dir / "tmp.tar.gz", "b")
    name = fingerprinted_name(candidate)
    candidate = candidate.rename(shelf.candidates_dir / f"{name}.tar.gz")
    assert model_name(shelf.keep(candidate)) == name
    assert shelf.keep(candidate) == shelf.kept_dir.resolve() / f"{name}.tar.gz"  # twice: the same file


def test_set_live_moves_the_old_live_to_previous_and_rollback_swaps_them(shelf, tmp_path):
    first = shelf.keep(fake_model(tmp_path / "a.tar.gz", "a"))
    second = shelf.keep(fake_model(tmp_path / "b.tar.gz", "b"))
    assert shelf.set_live(first) == Pointers(None, None)
    assert shelf.pointers() == Pointers(first, None)
    assert shelf.set_live(second) == Pointers(first, None)
    assert shelf.pointers() == Pointers(second, first)
    assert model_id_of(shelf.live_link) == "b"          # what Rasa loads through the pointer
    assert os.readlink(shelf.live_link) == f"kept/{second.name}"  # relative: the checkout may move
    shelf.swap_with_previous()
    assert shelf.pointers() == Pointers(first, second)
    assert not list(shelf.dir.glob(".*.new"))            # no temporary link left behind


def test_restore_puts_back_both_pointers(shelf, tmp_path):
    first = shelf.keep(fake_model(tmp_path / "a.tar.gz", "a"))
    second = shelf.keep(fake_model(tmp_path / "b.tar.gz", "b"))
    before = shelf.set_live(first)
    shelf.set_live(second)
    shelf.restore(before)
    assert shelf.pointers() == Pointers(None, None)
    assert not shelf.live_link.is_symlink()


def test_the_live_model_cannot_be_set_live_again_and_rollback_needs_a_previous(shelf, tmp_path):
    first = shelf.keep(fake_model(tmp_path / "a.tar.gz", "a"))
    with pytest.raises(ShelfError, match="没有上一个模型"):
        shelf.swap_with_previous()
    shelf.set_live(first)
    with pytest.raises(ShelfError, match="已经是上线模型"):
        shelf.set_live(first)


def test_only_kept_models_can_go_live(shelf, tmp_path):
    with pytest.raises(ShelfError, match="不是 models/kept/ 里的模型"):
        shelf.set_live(fake_model(tmp_path / "a.tar.gz", "a"))


def test_a_dangling_pointer_is_reported_with_what_to_do(shelf, tmp_path):
    kept = shelf.keep(fake_model(tmp_path / "a.tar.gz", "a"))
    shelf.set_live(kept)
    kept.unlink()
    with pytest.raises(ShelfError, match="不存在"):
        shelf.live()


def test_a_pointer_replaced_by_hand_is_reported(shelf, tmp_path):
    shelf.dir.mkdir(parents=True)
    fake_model(shelf.live_link, "a")  # a plain file, not the link promote writes
    with pytest.raises(ShelfError, match="普通文件"):
        shelf.live()
    shelf.live_link.unlink()
    os.symlink(fake_model(tmp_path / "elsewhere.tar.gz", "b"), shelf.live_link)
    with pytest.raises(ShelfError, match="不在"):
        shelf.live()


def test_candidates_newest_first_and_found_by_name(shelf):
    old = fake_model(shelf.candidates_dir / "20261130-101500-aaaaaaaa.tar.gz", "a")
    new = fake_model(shelf.candidates_dir / "20261130-111500-bbbbbbbb.tar.gz", "b")
    os.utime(old, (1, 1))
    assert shelf.candidates() == [new, old]
    assert shelf.find("20261130-101500-aaaaaaaa") == old
    with pytest.raises(ShelfError, match="找不到模型"):
        shelf.find("20261130-000000-cccccccc")


def test_a_file_that_is_not_a_rasa_model_is_refused(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tar")
    with pytest.raises(ShelfError, match="不是可读的 Rasa 模型"):
        model_id_of(bogus)
