"""Destination → province: official division names (cpca's adcode table), short forms,
owner aliases, one-character abbreviations and traditional characters."""
from __future__ import annotations

import csv
import importlib.resources
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .errors import AmbiguousDestination, ConfigError, UnknownDestination
from .text import MAX_PARSED_CHARS, normalize
from .yaml_file import read_mapping

_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_MUNICIPALITIES = {"11", "12", "31", "50"}  # 北京, 天津, 上海, 重庆
_TO_MARKER = re.compile(r"(?:寄|发|送|邮|到|往|去|至)$")
# Around a one-character abbreviation that makes up the whole destination ("寄粤", "发到沪呢").
_ABBR_BEFORE = r"^(?:那|那么|那就|请问)?(?:寄|发|送|邮|快递)?(?:到|往|去|至)?"
_ABBR_AFTER = (r"(?:省|市)?(?:的话)?(?:呢|吗|嘛|啊|哦|呀|哈)?[,，\s]*(?:的)?(?:运费|邮费|快递费)?(?:要|是|大概)?"
               r"(?:多少钱?|几天(?:能?到)?|多久(?:能?到)?|怎么算)?(?:呢|吗|啊|呀|哈)?[?？。!！~～,，.\s]*$")


# "寄到火星运费多少" → 火星: the place a shopper named even when it is not a known one.
_NAMED_PLACE = re.compile(r"(?:寄|发|送|邮|快递)(?:到|往|去|至)\s*([^\s,，。.?？!！~～的运邮多几要能可吗呢包]{1,12})")


def named_place(text: str) -> str | None:
    """The words after 寄到/发到…, or None. Used to name an unknown place in the question back."""
    match = _NAMED_PLACE.search(normalize(text))
    return match.group(1) if match else None


@dataclass(frozen=True)
class Destination:
    """Where a parcel goes: the province (short name, as in store.yml) and the text that named it."""

    province: str
    place: str


@dataclass(frozen=True)
class _Match:
    name: str
    start: int
    provinces: frozenset[str]


def _nation_names() -> list[str]:
    text = importlib.resources.files("cpca.resources").joinpath("56_nations.csv").read_text("utf8")
    names = {n.strip().removesuffix("族") for n in text.split() if n.strip()}
    return sorted(names, key=len, reverse=True)


def _strip_nations(name: str, nations: list[str]) -> str:
    """伊犁哈萨克自治州 → 伊犁自治州, 阿坝藏族羌族自治州 → 阿坝自治州, 西藏自治区 stays."""
    head, sep, tail = name.partition("自治")
    if not sep:
        return name
    stripped = True
    while stripped:
        stripped = False
        for nation in nations:
            for form in (nation + "族", nation):
                if head.endswith(form) and len(head) - len(form) >= 2:
                    head, stripped = head[: -len(form)], True
                    break
            if stripped:
                break
    return head + sep + tail


def _short_forms(name: str, level: str, nations: list[str]) -> set[str]:
    """Official name → the forms shoppers write (新疆维吾尔自治区 → 新疆, 昆山市 → 昆山)."""
    forms = set()
    base = _strip_nations(name, nations)
    suffixes = {
        "province": ("特别行政区", "自治区", "省", "市"),
        "city": ("自治州", "地区", "市", "盟"),
        "county": ("自治县", "自治旗", "新区", "林区", "特区", "市", "区", "县", "旗"),
    }[level]
    for suffix in suffixes:
        if base.endswith(suffix):
            forms.add(base[: -len(suffix)])
            break
    if level == "city" and name.endswith("自治州"):
        forms.add(base.removesuffix("自治州") + "州")  # 大理州, 伊犁州
    return {f for f in forms if len(f) >= 2}


_PLACES_KEYS = ("abbreviations", "aliases", "not_places")


def _check_places_file(places: dict, path: Path, provinces: set[str]) -> None:
    """places.yml's shape, with the key that is wrong: abbreviations {字: province},
    aliases {name: [provinces]}, not_places [words]."""
    def fail(key: str, problem: str):
        raise ConfigError(str(path), key, problem)

    for key in places:
        if key not in _PLACES_KEYS:
            fail(str(key), f"unknown section; the sections are {', '.join(_PLACES_KEYS)}")
    abbreviations = places.get("abbreviations") or {}
    if not isinstance(abbreviations, dict):
        fail("abbreviations", "must be `字: province` lines")
    for char, province in abbreviations.items():
        if not (isinstance(char, str) and len(char) == 1):
            fail(f"abbreviations.{char}", "an abbreviation is one character")
        if province not in provinces:
            fail(f"abbreviations.{char}", f"unknown province {province!r}; use short names like 广东, 新疆, 内蒙古")
    aliases = places.get("aliases") or {}
    if not isinstance(aliases, dict):
        fail("aliases", "must be `name: [province, ...]` lines")
    for alias, provs in aliases.items():
        if not isinstance(provs, list) or not provs:
            fail(f"aliases.{alias}", "must list the province(s), e.g. [内蒙古]")
        unknown = [p for p in provs if p not in provinces]
        if unknown:
            fail(f"aliases.{alias}", f"unknown province {unknown[0]!r}; use short names like 广东, 新疆, 内蒙古")
    not_places = places.get("not_places") or []
    if not isinstance(not_places, list) or not all(isinstance(w, str) for w in not_places):
        fail("not_places", "must be a list of words, e.g. [新区, 城区]")


class Gazetteer:
    """Every name a shopper may use for a place, each mapped to the province(s) it may lie in."""

    def __init__(self, names: Mapping[str, Iterable[str]], abbreviations: Mapping[str, str]) -> None:
        self._names = {name: frozenset(provs) for name, provs in names.items()}
        self._abbreviations = dict(abbreviations)
        self._longest = max(map(len, self._names))
        # Escaped (an owner may list any character); none listed: a pattern that never matches.
        chars = "".join(re.escape(c) for c in sorted(self._abbreviations))
        self._abbr_re = re.compile(_ABBR_BEFORE + (f"([{chars}])" if chars else "((?!))") + _ABBR_AFTER)

    @classmethod
    def from_files(cls, places_file: Path) -> "Gazetteer":
        places = read_mapping(places_file)
        nations = _nation_names()
        table = importlib.resources.files("cpca.resources").joinpath("adcodes.csv")
        rows = list(csv.DictReader(table.read_text("utf8").splitlines()))
        province_of: dict[str, str] = {}
        for row in rows:  # provinces first: their short names are the store's province names
            code = row["adcode"][:6]
            if code.endswith("0000"):
                short = min(_short_forms(row["name"], "province", nations), key=len)
                province_of[code[:2]] = short
        # name → province candidates, kept apart by rank: a prefecture-level city outranks
        # counties elsewhere that share its short name (西安 is 陕西, not 西安区 in 吉林), but not
        # the districts of the four municipalities, which shoppers know as well (朝阳: 北京 or 辽宁).
        found: dict[str, dict[str, set[str]]] = {}
        for row in rows:
            name, code = row["name"], row["adcode"][:6]
            if name in _PLACEHOLDERS or code[:2] not in province_of:
                continue
            level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
            prov = province_of[code[:2]]
            rank = "municipal" if level == "county" and code[:2] in _MUNICIPALITIES else level
            for form in {name} | _short_forms(name, level, nations):
                found.setdefault(form, {}).setdefault(rank, set()).add(prov)
        names: dict[str, set[str]] = {
            form: levels.get("province")
            or (levels["city"] | levels.get("municipal", set()) if "city" in levels else None)
            or levels.get("county", set()) | levels.get("municipal", set())
            for form, levels in found.items()
        }
        _check_places_file(places, places_file, set(province_of.values()))
        for alias, provs in (places.get("aliases") or {}).items():
            names[normalize(alias)] = set(provs)
        for prov in province_of.values():  # a province's own name is never ambiguous (海南, 吉林)
            names[prov] = {prov}
        for word in places.get("not_places") or []:
            names.pop(word, None)
        return cls(names, places.get("abbreviations") or {})

    @property
    def provinces(self) -> frozenset[str]:
        return frozenset().union(*self._names.values())

    def names(self) -> list[str]:
        return sorted(self._names)

    def _scan(self, text: str) -> list[_Match]:
        """Leftmost-longest matches of known names."""
        found, i = [], 0
        while i < len(text):
            for size in range(min(self._longest, len(text) - i), 1, -1):
                provs = self._names.get(text[i : i + size])
                if provs:
                    found.append(_Match(text[i : i + size], i, provs))
                    i += size
                    break
            else:
                i += 1
        return found

    def _best_scan(self, text: str) -> tuple[str, list[_Match]]:
        """Scan the text as typed and converted to simplified characters; keep the reading that
        covers more: 廣東 needs the conversion, 乾县 must not get it (opencc turns 乾 into 干)."""
        typed = unicodedata.normalize("NFKC", text or "")[:MAX_PARSED_CHARS].strip()
        simplified = normalize(text)
        readings = [(t, self._scan(t)) for t in dict.fromkeys((typed, simplified))]
        return max(readings, key=lambda r: sum(len(m.name) for m in r[1]))

    def resolve(self, text: str) -> Destination:
        """The one province `text` names. Raises UnknownDestination or AmbiguousDestination."""
        abbr = self._abbr_re.match(normalize(text))
        if abbr:
            return Destination(self._abbreviations[abbr.group(1)], abbr.group(1))
        norm, matches = self._best_scan(text)
        if not matches:
            raise UnknownDestination(text)
        # Left to right, each name narrows the candidates (辽宁朝阳 → 辽宁). A later name that
        # contradicts them is a street (山东青岛香港中路), unless 寄到/发到 puts it as the
        # destination ("我在广州 寄到新疆").
        candidates, used = matches[0].provinces, [matches[0]]
        for match in matches[1:]:
            if candidates & match.provinces:
                candidates, used = candidates & match.provinces, used + [match]
            elif _TO_MARKER.search(norm[max(0, match.start - 2): match.start]):
                candidates, used = match.provinces, [match]
        place = "".join(m.name for m in used)
        if len(candidates) > 1:
            raise AmbiguousDestination(place, tuple(sorted(candidates)))
        return Destination(next(iter(candidates)), place)
