"""Labelled review-queue messages into the owner's own training file, data/nlu/owner_labelled.yml.

The hand-written files are never written. A text is masked first (tuning.masking), then refused
when it is empty, names an unknown intent, nearly copies a held-out message (the held-out files
must stay unseen, or their scores lie), or is already a training example (已有). The file is
rewritten atomically, intents sorted and examples in the order they were added, so a diff shows
only what the owner added. Rasa itself checks the result in a subprocess (`check_nlu_file`,
`validate_training_data`): this package never imports Rasa."""
from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Mapping, Optional

import yaml

from .masking import Masker
from .nlu_files import NearCopies, examples, key

ROOT = Path(__file__).resolve().parents[1]
OWNER_FILE = Path("data/nlu/owner_labelled.yml")
HELDOUT_FILES = (Path("tests/nlu/heldout.yml"), Path("tests/nlu/real_register.yml"))
MARKABLE_ENTITIES = ("destination", "weight", "courier")   # order_id is found by rule, not learnt
ENTITY_NAMES = {"destination": "目的地", "weight": "重量", "courier": "快递公司"}
_HEADER = ("# 店主在审核队列里标注的句子（python -m tuning review 或店主后台写入）。\n"
           "# 这个文件由程序维护：手写的训练数据在同目录的其他文件里，这里的句子已去掉手机号、订单号和地址。\n")


@dataclass(frozen=True)
class LabelResult:
    outcome: str                 # added | exists | refused | ignored
    intent: str
    text: str                    # the masked text, with entity markup
    message: str                 # for the owner, in Chinese
    masked: tuple = field(default=())   # what masking replaced (手机号, 地址 …)

    @property
    def added(self) -> bool:
        return self.outcome == "added"


def domain_intents(root: Path = ROOT) -> list[str]:
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf8")) or {}
    return [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or []]


def intent_descriptions(root: Path = ROOT) -> dict[str, str]:
    """intent → its Chinese examples from docs/intents.md (寄到新疆运费多少 / 包邮吗 …), for the
    domain's intents only (the file's entity table uses the same layout)."""
    found = {}
    path = root / "docs" / "intents.md"
    if path.exists():
        for line in path.read_text(encoding="utf8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 3 and cells[0].startswith("`") and cells[0].endswith("`"):
                found[cells[0].strip("`")] = cells[2]
    intents = set(domain_intents(root))
    return {name: text for name, text in found.items() if name in intents}


def _clean(text: str) -> str:
    """One line; ASCII brackets made full-width so Rasa's [text](entity) markup can't misread them."""
    text = " ".join(text.split())
    return text.replace("[", "【").replace("]", "】")


def _markup(text: str, marks: Mapping[str, str]) -> tuple[Optional[str], Optional[str]]:
    """`text` with each marked value annotated once, or (None, why not)."""
    spans = []
    for entity, value in marks.items():
        value = _clean(value or "").strip()
        if not value:
            continue
        if entity not in MARKABLE_ENTITIES:
            return None, f"不能标注「{entity}」：只能标注目的地、重量或快递公司"
        start = text.find(value)
        if start < 0:
            return None, f"{ENTITY_NAMES[entity]}「{value}」不在句子里（句子去掉个人信息后是：{text}）"
        if any(start < e and s < start + len(value) for s, e, _ in spans):
            return None, f"{ENTITY_NAMES[entity]}「{value}」和另一个标注重叠了"
        spans.append((start, start + len(value), entity))
    for start, end, entity in sorted(spans, reverse=True):
        text = f"{text[:start]}[{text[start:end]}]({entity}){text[end:]}"
    return text, None


class OwnerLabels:
    """The owner's training file and the checks before a text goes into it. `root` is the
    repository (data/, domain.yml, tests/nlu/); tests point it at a copy."""

    def __init__(self, root: Path = ROOT, file: Optional[Path] = None, masker: Optional[Masker] = None,
                 heldout_files: tuple = HELDOUT_FILES) -> None:
        self.root = root
        self.file = file or root / OWNER_FILE
        self._masker = masker or Masker()
        self._heldout = NearCopies(e["text"] for f in heldout_files if (root / f).exists()
                                   for e in examples(root / f))
        self._intents = domain_intents(root)
        self._masked = lru_cache(maxsize=4096)(lambda text: _clean(self._masker.mask(text).text))

    @property
    def intents(self) -> list[str]:
        return list(self._intents)

    def mask(self, text: str) -> str:
        """`text` as it would be saved: personal data masked, on one line."""
        return self._masked(text)

    def is_heldout(self, text: str) -> bool:
        """True when `text` or its masked form (nearly) copies a held-out message."""
        return self._heldout.of(text) is not None or self._heldout.of(self.mask(text)) is not None

    def known_examples(self) -> dict[str, str]:
        """message key → intent of every training example in data/nlu/ (this file included)."""
        found = {}
        for path in sorted((self.root / "data" / "nlu").glob("*.yml")) + [self.file]:
            if path.exists():
                for example in examples(path):
                    found.setdefault(key(example["text"]), example["intent"])
        return found

    def label(self, text: str, intent: str, marks: Optional[Mapping[str, str]] = None) -> LabelResult:
        """Masks `text`, checks it, and appends it under `intent` (entities from `marks`)."""
        masked = self._masker.mask(text)
        clean = _clean(masked.text)

        def refused(message: str) -> LabelResult:
            return LabelResult("refused", intent, clean, message, masked.kinds)

        if intent not in self._intents:
            return refused(f"没有「{intent}」这个意图，请从列表里选")
        if not key(clean):
            return refused("这句话去掉个人信息后没有文字，不能作为训练句子")
        copied = self._heldout.of(clean) or self._heldout.of(text)
        if copied is not None:
            return refused(f"和留作评估的句子「{copied}」几乎一样：评估句子不能进训练数据，请点「忽略」")
        marked, problem = _markup(clean, marks or {})
        if problem:
            return refused(problem)
        with self._locked():
            known = self.known_examples().get(key(clean))
            if known == intent:
                return LabelResult("exists", intent, marked, f"已有：训练数据里已经有这句（{intent}）", masked.kinds)
            if known is not None:
                return refused(f"已有：训练数据里这句标的是 {known}，与 {intent} 冲突；要改请编辑 data/nlu/ 里的文件")
            self._append(intent, marked)
        note = f"（已去掉{'、'.join(masked.kinds)}）" if masked.kinds else ""
        return LabelResult("added", intent, marked, f"已加入训练数据：{intent}{note}", masked.kinds)

    # -- the file ------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time across processes (console and command line): a lock on the
        directory itself, so no lock file lies in data/nlu/."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.file.parent, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def read(self) -> dict[str, list[str]]:
        """intent → examples (with markup) of the owner's file, in file order."""
        if not self.file.exists():
            return {}
        blocks: dict[str, list[str]] = {}
        for example in examples(self.file, markup=True):
            blocks.setdefault(example["intent"], []).append(example["text"])
        return blocks

    def forget(self, message_keys) -> list[str]:
        """Removes the examples whose message key is one of `message_keys` (a shopper asked to be
        forgotten and these quote them); returns the removed examples."""
        keys = set(message_keys)
        with self._locked():
            blocks = self.read()
            removed = [t for texts in blocks.values() for t in texts if key(t) in keys]
            if removed:
                self._write({intent: [t for t in texts if key(t) not in keys] for intent, texts in blocks.items()})
        return removed

    def _append(self, intent: str, text: str) -> None:
        blocks = self.read()
        blocks.setdefault(intent, []).append(text)
        self._write(blocks)

    def _write(self, blocks: dict[str, list[str]]) -> None:
        blocks = {name: texts for name, texts in blocks.items() if texts}
        lines = ['version: "3.1"', _HEADER.rstrip("\n"), "nlu:" if blocks else "nlu: []"]
        for name in sorted(blocks):
            lines += [f"- intent: {name}", "  examples: |"] + [f"    - {t}" for t in blocks[name]]
        content = "\n".join(lines) + "\n"
        yaml.safe_load(content)   # never write a file that is not valid YAML
        handle, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".owner_labelled.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf8") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def example_count(self) -> int:
        return sum(len(v) for v in self.read().values())


# -- Rasa's own checks, in a subprocess ----------------------------------------------------------
_READ_WITH_RASA = (
    "import sys\n"
    "from rasa.shared.nlu.training_data.loading import load_data\n"
    "data = load_data(sys.argv[1])\n"
    "print(len(data.intent_examples))\n")


def _python(root: Path) -> str:
    venv = root / ".venv" / "bin" / "python"
    return str(venv if venv.exists() else ROOT / ".venv" / "bin" / "python")


def check_nlu_file(path: Path, root: Path = ROOT, timeout: float = 120) -> tuple[bool, str]:
    """Reads `path` with Rasa's own NLU reader (schema and markup checks): (ok, Rasa's output)."""
    done = subprocess.run([_python(root), "-c", _READ_WITH_RASA, str(path)], capture_output=True,
                          text=True, cwd=root, timeout=timeout,
                          env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def validate_training_data(root: Path = ROOT, data: Path = Path("data"), domain: Path = Path("domain.yml"),
                           config: Path = Path("config.yml"), timeout: float = 600) -> tuple[bool, str]:
    """`rasa data validate --fail-on-warnings` on `data` (the retrain step's check): (ok, output)."""
    rasa = root / ".venv" / "bin" / "rasa"
    command = [str(rasa if rasa.exists() else ROOT / ".venv" / "bin" / "rasa"), "data", "validate",
               "--fail-on-warnings", "--data", str(data), "--domain", str(domain), "--config", str(config)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, timeout=timeout,
                          env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    return done.returncode == 0, (done.stdout + done.stderr).strip()
