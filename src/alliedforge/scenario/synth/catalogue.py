"""Synthetic catalogue: nations, families, weapon systems, items and their qualifications."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alliedforge.scenario.model import Item, Nation, Qualification, WeaponSystem
from alliedforge.scenario.months import month_at
from alliedforge.scenario.nsn import format_nsn
from alliedforge.scenario.synth.numbers import BoolArray, IntArray
from alliedforge.scenario.synth.reference import FAMILY_KINDS, NATIONS, FamilyKind, NationRef

QUALIFIED_SHARE = 0.55  # chance that an item of a family fits one of the family's systems
LATE_QUALIFICATION_SHARE = 0.25  # chance that a qualification only holds from a later month


@dataclass(frozen=True, slots=True)
class Family:
    """A family of substitutes: a kind, with a variant suffix once the kinds run out."""

    kind: FamilyKind
    name: str
    tag: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What exists before industry: nations, families, systems and items (as indices)."""

    nations: tuple[NationRef, ...]
    families: tuple[Family, ...]
    item_family: IntArray
    item_names: tuple[str, ...]
    system_family: IntArray
    systems: tuple[WeaponSystem, ...]

    def nation_rows(self) -> tuple[Nation, ...]:
        return tuple(Nation(n.code, n.name) for n in self.nations)


def draw_catalogue(
    rng: np.random.Generator, *, nations: int, families: int, items: int
) -> Catalogue:
    """Nations (real NATO members), families, their weapon systems and item names."""
    chosen = _choose_nations(rng, nations)
    kinds = _choose_families(families)
    per_family = 1 + rng.multinomial(items - families, np.full(families, 1.0 / families))
    item_family = np.repeat(np.arange(families), per_family)
    item_names = tuple(
        _designation(kinds[f].kind, k) for f, count in enumerate(per_family) for k in range(count)
    )
    system_family: list[int] = []
    systems: list[WeaponSystem] = []
    for f, family in enumerate(kinds):
        platforms = family.kind.platforms
        count = min(len(platforms), int(rng.integers(2, 6)))
        for p in np.sort(rng.choice(len(platforms), size=count, replace=False)):
            code, name = platforms[p]
            system_family.append(f)
            systems.append(
                WeaponSystem(f"{code}-{family.tag}", f"{name} ({family.name})", family.kind.calibre)
            )
    return Catalogue(
        nations=chosen,
        families=kinds,
        item_family=item_family,
        item_names=item_names,
        system_family=np.array(system_family, dtype=np.int64),
        systems=tuple(systems),
    )


def _choose_nations(rng: np.random.Generator, count: int) -> tuple[NationRef, ...]:
    # Larger nations appear more often in small scenarios, as they do in real coalitions.
    weights = np.sqrt([n.demand for n in NATIONS])
    picked = rng.choice(len(NATIONS), size=count, replace=False, p=weights / weights.sum())
    return tuple(NATIONS[i] for i in np.sort(picked))


def _choose_families(count: int) -> tuple[Family, ...]:
    families = []
    for f in range(count):
        kind = FAMILY_KINDS[f % len(FAMILY_KINDS)]
        variant = f // len(FAMILY_KINDS)
        suffix = str(variant + 1) if variant else ""
        name = f"{kind.family}-{suffix}" if suffix else kind.family
        families.append(Family(kind, name, kind.tag + suffix))
    return tuple(families)


def _designation(kind: FamilyKind, index: int) -> str:
    names = kind.designations
    base = names[index % len(names)]
    return base if index < len(names) else f"{base} Mod {index // len(names) + 1}"


def item_rows(
    rng: np.random.Generator, catalogue: Catalogue, item_ncb: list[str]
) -> tuple[Item, ...]:
    """Items with unique 13-digit NSNs: supply class of the family, NCB of the codifier."""
    serials = rng.choice(10**7, size=len(item_ncb), replace=False)
    rows = []
    for i, (ncb, serial) in enumerate(zip(item_ncb, serials, strict=True)):
        kind = catalogue.families[catalogue.item_family[i]].kind
        code = format_nsn(f"{kind.nsc}{ncb}{serial:07d}")
        family = catalogue.families[catalogue.item_family[i]].name
        rows.append(Item(code, catalogue.item_names[i], family, kind.stanag))
    return tuple(rows)


def draw_qualifications(
    rng: np.random.Generator, catalogue: Catalogue, item_made: BoolArray, months: int
) -> tuple[IntArray, IntArray, IntArray]:
    """A partial, time-dependent item × system matrix within each family.

    Returns (item, system, from-month index) triples; every item fits some system, every
    system takes some item, and every system takes an item that a line makes when its family
    has one, so that no requirement is short merely for want of a qualified product.
    """
    items_of, systems_of = [], []
    for f in range(len(catalogue.families)):
        fam_items = np.flatnonzero(catalogue.item_family == f)
        fam_systems = np.flatnonzero(catalogue.system_family == f)
        fits = rng.random((fam_items.size, fam_systems.size)) < QUALIFIED_SHARE
        for row in np.flatnonzero(~fits.any(axis=1)):
            fits[row, rng.integers(fam_systems.size)] = True
        for col in np.flatnonzero(~fits.any(axis=0)):
            fits[rng.integers(fam_items.size), col] = True
        made = np.flatnonzero(item_made[fam_items])
        if made.size:
            for col in np.flatnonzero(~fits[made].any(axis=0)):
                fits[made[rng.integers(made.size)], col] = True
        rows, cols = np.nonzero(fits)
        items_of.append(fam_items[rows])
        systems_of.append(fam_systems[cols])
    item = np.concatenate(items_of)
    system = np.concatenate(systems_of)
    late = rng.random(item.size) < LATE_QUALIFICATION_SHARE
    start = rng.integers(1, max(2, months // 2), size=item.size) if months > 1 else 0
    from_month = np.where(late & (months > 1), start, 0).astype(np.int64)
    return item, system, from_month


def qualification_rows(
    catalogue: Catalogue,
    items: tuple[Item, ...],
    qualifications: tuple[IntArray, IntArray, IntArray],
    start: str,
) -> tuple[Qualification, ...]:
    item, system, from_month = qualifications
    return tuple(
        Qualification(
            items[i].code,
            catalogue.systems[s].code,
            month_at(start, int(t)) if t > 0 else None,
        )
        for i, s, t in zip(item, system, from_month, strict=True)
    )
