"""Reference data for synthetic scenarios: NATO nations, munition family kinds, components."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class NationRef:
    """A NATO member as the generator sees it.

    `ncb` is the NATO Codification Bureau code that codifies the nation's items, None where
    our table has none we trust (items of such suppliers are codified elsewhere).
    `ncage` is the NCAGE pattern (`#` digit, `*` letter or digit, else literal), None where
    unknown: such codes are merely NCAGE-shaped. `demand` and `industry` are rough relative
    weights for drawing requirements and suppliers.
    """

    code: str
    name: str
    ncb: str | None
    ncage: str | None
    legal_form: str
    demand: float
    industry: float


# Versioned reference data. NCB codes and NCAGE patterns of ALB..ITA and LUX follow the NCS
# country code table (AC/135 CodSP-3), NCBs of NLD, NOR, POL, PRT, TUR, GBR and USA the
# domain notes; the other NCBs and the GBR/USA patterns are from memory and unverified.
# Iceland has no bureau (the first user nation codifies); SWE and MNE we could not confirm.
NATIONS: tuple[NationRef, ...] = (
    NationRef("ALB", "Albania", "59", "A***H", "sh.p.k.", 0.3, 0.1),
    NationRef("BEL", "Belgium", "13", "B***#", "NV", 2.0, 1.0),
    NationRef("BGR", "Bulgaria", "50", "#***U", "AD", 1.0, 1.2),
    NationRef("CAN", "Canada", "20", "L***#", "Inc.", 3.0, 1.5),
    NationRef("HRV", "Croatia", "53", "A***B", "d.o.o.", 0.8, 0.4),
    NationRef("CZE", "Czechia", "16", "#***G", "a.s.", 2.0, 2.0),
    NationRef("DNK", "Denmark", "22", "R***#", "A/S", 2.0, 0.8),
    NationRef("EST", "Estonia", "38", "#***J", "AS", 0.8, 0.2),
    NationRef("FIN", "Finland", "58", "A***G", "Oy", 2.0, 1.5),
    NationRef("FRA", "France", "14", "F***#", "SAS", 6.0, 5.0),
    NationRef("DEU", "Germany", "12", "D***#", "GmbH", 6.0, 6.0),
    NationRef("GRC", "Greece", "23", "G***#", "S.A.", 2.0, 0.6),
    NationRef("HUN", "Hungary", "51", "#***V", "Zrt.", 1.2, 0.6),
    NationRef("ISL", "Iceland", None, "S***#", "ehf.", 0.1, 0.02),
    NationRef("ITA", "Italy", "15", "A***#", "S.p.A.", 4.0, 3.0),
    NationRef("LVA", "Latvia", "55", None, "SIA", 0.8, 0.1),
    NationRef("LTU", "Lithuania", "47", None, "UAB", 1.0, 0.2),
    NationRef("LUX", "Luxembourg", "13", "B***#", "S.A.", 0.3, 0.05),
    NationRef("MNE", "Montenegro", None, None, "d.o.o.", 0.2, 0.05),
    NationRef("NLD", "Netherlands", "17", None, "B.V.", 3.0, 1.0),
    NationRef("MKD", "North Macedonia", "54", None, "DOOEL", 0.3, 0.1),
    NationRef("NOR", "Norway", "25", None, "AS", 2.0, 2.0),
    NationRef("POL", "Poland", "43", None, "Sp. z o.o.", 5.0, 3.0),
    NationRef("PRT", "Portugal", "26", None, "S.A.", 1.2, 0.4),
    NationRef("ROU", "Romania", "39", None, "S.A.", 2.0, 1.0),
    NationRef("SVK", "Slovakia", "40", None, "a.s.", 1.0, 1.2),
    NationRef("SVN", "Slovenia", "42", None, "d.o.o.", 0.5, 0.2),
    NationRef("ESP", "Spain", "33", None, "S.A.", 3.0, 2.0),
    NationRef("SWE", "Sweden", None, None, "AB", 2.5, 2.0),
    NationRef("TUR", "Türkiye", "27", None, "A.Ş.", 4.0, 3.0),
    NationRef("GBR", "United Kingdom", "99", "U***#", "Ltd", 6.0, 5.0),
    NationRef("USA", "United States", "01", "#***#", "Inc.", 10.0, 10.0),
)

NATO_ASSIGNED_NCB = "11"  # codifies an item when no nation of the scenario has a bureau


class Sector(StrEnum):
    """Which kind of plant makes a family: suppliers specialise in one sector."""

    SHELLS = "shells"
    SMALL_CALIBRE = "small calibre"
    MISSILES = "missiles"


@dataclass(frozen=True, slots=True)
class ComponentRef:
    """A shared input whose supply binds; supply is rounded up to `decimals` places."""

    code: str
    name: str
    decimals: int


NC = ComponentRef("NC", "Nitrocellulose (t)", 1)
HEX = ComponentRef("HEX", "High-explosive fill (t)", 1)
FUZE = ComponentRef("FUZE", "Artillery and mortar fuzes", 0)
# Rocket motors are counted per missile within a size class: one motor per round, so that
# a scarce motor class does not favour one missile family for needing less of it.
MOTOR_L = ComponentRef("RM-L", "Large rocket motors", 0)
MOTOR_M = ComponentRef("RM-M", "Medium rocket motors", 0)
MOTOR_S = ComponentRef("RM-S", "Small rocket motors", 0)
COMPONENTS = (NC, HEX, FUZE, MOTOR_L, MOTOR_M, MOTOR_S)


@dataclass(frozen=True, slots=True)
class FamilyKind:
    """A kind of munition family with public orders of magnitude (EUR, units per month).

    `opening_per_unit` prices a new line per unit of monthly capacity (EUR); `lead_new` is
    the new-plant lead time range (months); `bom` gives per-unit component use ranges.
    """

    family: str
    tag: str  # suffix of the family's weapon-system codes, e.g. PZH2000-HE
    nsc: str
    calibre: str | None
    stanag: str | None
    sector: Sector
    price: tuple[float, float]
    capacity: tuple[float, float]
    opening_per_unit: tuple[float, float]
    lead_new: tuple[int, int]
    fleet: tuple[int, int]
    bom: tuple[tuple[ComponentRef, float, float], ...]
    designations: tuple[str, ...]
    platforms: tuple[tuple[str, str], ...]


HOWITZERS = (
    ("PZH2000", "PzH 2000"),
    ("CAESAR", "CAESAR"),
    ("K9", "K9"),
    ("M109A7", "M109A7"),
    ("ARCHER", "Archer"),
    ("M777", "M777"),
    ("KRAB", "AHS Krab"),
    ("ZUZANA2", "Zuzana 2"),
    ("ATMOS", "ATMOS 2000"),
    ("FIRTINA", "T-155 Fırtına"),
    ("FH70", "FH70"),
    ("RCH155", "RCH 155"),
)
MORTARS_120 = (
    ("M120", "M120"),
    ("MO120RT", "MO-120-RT"),
    ("RAK", "SMK 120 Rak"),
    ("NEMO", "NEMO"),
    ("AMOS", "AMOS"),
    ("CARDOM", "Cardom"),
    ("MJOLNER", "Mjölner"),
    ("2R2M", "2R2M"),
)
MORTARS_81 = (("L16", "L16 81mm"), ("M252", "M252"), ("MO81LLR", "MO 81 LLR"))
TANKS = (
    ("LEO2A7", "Leopard 2A7"),
    ("LEO2A8", "Leopard 2A8"),
    ("M1A2", "M1A2 Abrams"),
    ("CR3", "Challenger 3"),
    ("LECLERC", "Leclerc"),
    ("K2", "K2"),
)
IFVS_30 = (("CV90", "CV90 (30mm)"), ("PUMA", "Puma"), ("LYNX", "Lynx KF41"), ("ASCOD", "ASCOD"))
HELICOPTERS = (("AH64", "AH-64 Apache"), ("TIGER", "Tiger"), ("AH1Z", "AH-1Z"))

_RML, _RMM, _RMS = (MOTOR_L, 1.0, 1.0), (MOTOR_M, 1.0, 1.0), (MOTOR_S, 1.0, 1.0)
_S, _C, _M = Sector.SHELLS, Sector.SMALL_CALIBRE, Sector.MISSILES
_SHELL_155 = ((NC, 0.009, 0.012), (HEX, 0.008, 0.011), (FUZE, 1.0, 1.0))
_PROPELLED = ((NC, 0.009, 0.012), (FUZE, 1.0, 1.0))
_MORTAR_120 = ((NC, 0.0006, 0.001), (HEX, 0.002, 0.0026), (FUZE, 1.0, 1.0))
_MORTAR_81 = ((NC, 0.0003, 0.0005), (HEX, 0.0006, 0.0008), (FUZE, 1.0, 1.0))

# In the order families are drawn: a scenario with few families gets the common ones.
# One kind per block reads as a table; the formatter would spread each over 30 lines.
# fmt: off
FAMILY_KINDS: tuple[FamilyKind, ...] = (
    FamilyKind(
        "155mm-HE", "HE", "1320", "155mm", "4425", _S, (3000, 8000), (2000, 20000),
        (8000, 15000), (15, 24), (12, 120), _SHELL_155,
        ("HE M795-type", "HE DM121-type", "HE L15-type", "HE LU 211-type", "HE M107-type",
         "HE OF-type", "HE IM-type"),
        HOWITZERS,
    ),
    FamilyKind(
        "120mm-HE", "HE", "1315", "120mm", None, _S, (400, 1200), (1500, 12000),
        (3000, 6000), (12, 18), (10, 80), _MORTAR_120,
        ("HE M933-type", "HE M934-type", "HE PR-14-type", "HE Mk2-type"),
        MORTARS_120,
    ),
    FamilyKind(
        "SAM-LR", "LR", "1410", None, None, _M, (3.0e6, 5.0e6), (4, 30),
        (10e6, 25e6), (24, 36), (2, 16), (_RML,),
        ("PAC-3 MSE-type", "PAC-2 GEM-T-type", "Aster 30-type"),
        (("PATRIOT", "Patriot"), ("SAMPT", "SAMP/T")),
    ),
    FamilyKind(
        "SAM-MR", "MR", "1410", None, None, _M, (0.8e6, 2.5e6), (5, 40),
        (4e6, 10e6), (18, 30), (2, 12), (_RMM,),
        ("IRIS-T SLM-type", "AMRAAM-ER-type", "CAMM-type", "AMRAAM-type"),
        (("IRIST", "IRIS-T SLM"), ("NASAMS", "NASAMS"), ("SKYSABRE", "Sky Sabre")),
    ),
    FamilyKind(
        "155mm-ER", "ER", "1320", "155mm", "4425", _S, (6000, 14000), (1000, 8000),
        (10000, 18000), (15, 24), (12, 120), _SHELL_155,
        ("ER base-bleed-type", "ER V-LAP-type", "ERFB-BB-type"),
        HOWITZERS,
    ),
    FamilyKind(
        "105mm-HE", "HE", "1315", "105mm", None, _S, (800, 2000), (2000, 10000),
        (3000, 6000), (12, 18), (12, 60), ((NC, 0.002, 0.003), (HEX, 0.002, 0.0023),
                                           (FUZE, 1.0, 1.0)),
        ("HE M1-type", "HE L31-type", "HE M760-type"),
        (("L118", "L118 Light Gun"), ("M119", "M119"), ("LG1", "LG1"), ("HAWKEYE", "Hawkeye")),
    ),
    FamilyKind(
        "120mm-KE", "KE", "1315", "120mm", None, _S, (4000, 9000), (500, 4000),
        (8000, 15000), (15, 24), (20, 300), ((NC, 0.007, 0.009),),
        ("APFSDS DM63-type", "APFSDS M829A4-type", "APFSDS KE-type"),
        TANKS,
    ),
    FamilyKind(
        "GMLRS", "GM", "1340", "227mm", None, _M, (100e3, 200e3), (50, 800),
        (500e3, 1e6), (18, 30), (6, 60), (_RMM,),
        ("GMLRS unitary-type", "GMLRS AW-type", "ER GMLRS-type"),
        (("HIMARS", "M142 HIMARS"), ("M270", "M270A2"), ("PULS", "PULS")),
    ),
    FamilyKind(
        "SHORAD", "SR", "1410", None, None, _M, (80e3, 400e3), (20, 200),
        (1e6, 2e6), (18, 30), (20, 200), (_RMS,),
        ("Stinger-type", "Mistral 3-type", "Piorun-type", "Bolide-type"),
        (("STINGER", "Stinger"), ("MISTRAL", "Mistral"), ("RBS70", "RBS 70 NG"),
         ("PIORUN", "Piorun")),
    ),
    FamilyKind(
        "ATGM", "AT", "1410", None, None, _M, (80e3, 250e3), (50, 400),
        (0.5e6, 1.5e6), (18, 30), (50, 500), (_RMS,),
        ("Javelin-type", "Spike LR2-type", "MMP-type"),
        (("JAVELIN", "Javelin CLU"), ("SPIKE", "Spike LR launcher"), ("MMP", "MMP firing post")),
    ),
    FamilyKind(
        "155mm-smoke", "SMK", "1320", "155mm", "4425", _S, (2500, 6000), (500, 4000),
        (6000, 12000), (15, 24), (12, 120), _PROPELLED,
        ("Smoke M825-type", "Smoke DM125-type", "Smoke HC-type"),
        HOWITZERS,
    ),
    FamilyKind(
        "155mm-illum", "ILL", "1320", "155mm", "4425", _S, (2000, 5000), (300, 3000),
        (6000, 12000), (15, 24), (12, 120), _PROPELLED,
        ("Illum M485-type", "IR illum DM106-type"),
        HOWITZERS,
    ),
    FamilyKind(
        "155mm-PGM", "PGM", "1320", "155mm", None, _S, (80e3, 160e3), (20, 300),
        (300e3, 600e3), (18, 30), (12, 120), _SHELL_155,
        ("Excalibur-type", "Vulcano GLR-type", "SMArt-type"),
        HOWITZERS,
    ),
    FamilyKind(
        "120mm-smoke", "SMK", "1315", "120mm", None, _S, (300, 900), (500, 5000),
        (3000, 6000), (12, 18), (10, 80), ((NC, 0.0006, 0.001), (FUZE, 1.0, 1.0)),
        ("Smoke M929-type", "Smoke RP-type"),
        MORTARS_120,
    ),
    FamilyKind(
        "120mm-illum", "ILL", "1315", "120mm", None, _S, (300, 900), (300, 3000),
        (3000, 6000), (12, 18), (10, 80), ((NC, 0.0006, 0.001), (FUZE, 1.0, 1.0)),
        ("Illum M930-type", "IR illum M983-type"),
        MORTARS_120,
    ),
    FamilyKind(
        "81mm-HE", "HE", "1315", "81mm", None, _S, (200, 600), (2000, 20000),
        (2000, 4000), (12, 18), (20, 150), _MORTAR_81,
        ("HE M821-type", "HE L36-type", "HE DM51-type"),
        MORTARS_81,
    ),
    FamilyKind(
        "81mm-smoke", "SMK", "1315", "81mm", None, _S, (150, 500), (1000, 10000),
        (2000, 4000), (12, 18), (20, 150), ((NC, 0.0003, 0.0005), (FUZE, 1.0, 1.0)),
        ("Smoke M819-type", "Smoke L40-type"),
        MORTARS_81,
    ),
    FamilyKind(
        "60mm-HE", "HE", "1310", "60mm", None, _S, (100, 300), (2000, 20000),
        (1500, 3000), (12, 18), (20, 200), ((NC, 0.0001, 0.0002), (HEX, 0.00015, 0.0002),
                                            (FUZE, 1.0, 1.0)),
        ("HE M720-type", "HE L9-type"),
        (("M224", "M224"), ("L9A1", "L9A1 60mm"), ("LM60", "LM-60")),
    ),
    FamilyKind(
        "30mm-KE", "KE", "1305", "30mm", None, _C, (150, 400), (5000, 50000),
        (500, 1500), (12, 18), (30, 400), ((NC, 0.0001, 0.00015),),
        ("APFSDS-T Mk258-type", "APFSDS-T DM33-type"),
        IFVS_30,
    ),
    FamilyKind(
        "30mm-HE", "HE", "1305", "30mm", None, _C, (100, 300), (5000, 50000),
        (500, 1500), (12, 18), (30, 400), ((NC, 0.0001, 0.00015), (HEX, 0.00002, 0.00004)),
        ("HEI-T-type", "ABM KETF-type"),
        IFVS_30,
    ),
    FamilyKind(
        "25mm", "25", "1305", "25mm", None, _C, (80, 250), (5000, 40000),
        (400, 1200), (12, 18), (30, 400), ((NC, 0.00008, 0.00012),),
        ("APFSDS-T M919-type", "HEI-T M792-type"),
        (("BRADLEY", "M2 Bradley"), ("LAV6", "LAV 6"), ("DARDO", "Dardo")),
    ),
    FamilyKind(
        "35mm-AHEAD", "35", "1310", "35mm", None, _C, (600, 1500), (2000, 20000),
        (1000, 2500), (12, 18), (6, 60), ((NC, 0.0003, 0.0004),),
        ("AHEAD-type", "FAPDS-type"),
        (("SKYNEX", "Skynex"), ("SKYRANGER", "Skyranger 35"), ("GEPARD", "Gepard")),
    ),
    FamilyKind(
        "40mm-grenade", "40", "1310", "40mm", None, _C, (30, 90), (10000, 100000),
        (200, 600), (12, 18), (50, 1000), ((NC, 0.00002, 0.00004), (HEX, 0.00003, 0.00005)),
        ("HEDP M430-type", "HE DM111-type"),
        (("GMG", "GMG 40mm"), ("MK19", "Mk 19"), ("M320", "M320")),
    ),
    FamilyKind(
        "AShM", "ASHM", "1410", None, None, _M, (1.5e6, 3.0e6), (2, 15),
        (8e6, 20e6), (24, 36), (2, 12), (_RML,),
        ("NSM-type", "Harpoon Block II-type", "Exocet MM40-type"),
        (("NSMCDS", "NSM coastal battery"), ("HARPOON", "Harpoon launcher"),
         ("EXOCET", "Exocet MM40 launcher")),
    ),
    FamilyKind(
        "AAM", "AAM", "1410", None, None, _M, (1.0e6, 2.2e6), (5, 40),
        (5e6, 12e6), (24, 36), (12, 120), (_RMM,),
        ("AMRAAM-type", "Meteor-type", "IRIS-T-type", "MICA-type"),
        (("F35A", "F-35A"), ("F16", "F-16"), ("EF2000", "Eurofighter"), ("GRIPEN", "Gripen"),
         ("RAFALE", "Rafale")),
    ),
    FamilyKind(
        "70mm-rocket", "70", "1340", "70mm", None, _M, (15e3, 40e3), (100, 2000),
        (100e3, 300e3), (12, 24), (6, 60), (_RMS,),
        ("APKWS-type", "Hydra 70-type", "FZ275-type"),
        HELICOPTERS,
    ),
    FamilyKind(
        "ASM", "ASM", "1410", None, None, _M, (100e3, 300e3), (20, 200),
        (1e6, 3e6), (18, 30), (6, 60), (_RMS,),
        ("Hellfire-type", "JAGM-type", "Brimstone-type", "Spike ER2-type"),
        HELICOPTERS,
    ),
    FamilyKind(
        "120mm-MP", "MP", "1315", "120mm", None, _S, (3000, 7000), (500, 4000),
        (8000, 15000), (15, 24), (20, 300), ((NC, 0.007, 0.009), (HEX, 0.0015, 0.002),
                                             (FUZE, 1.0, 1.0)),
        ("MP DM11-type", "MP M830A1-type"),
        TANKS,
    ),
    FamilyKind(
        "76mm-naval", "76", "1315", "76mm", None, _S, (3000, 10000), (200, 2000),
        (5000, 10000), (15, 24), (2, 20), ((NC, 0.003, 0.004), (HEX, 0.0006, 0.0008),
                                           (FUZE, 1.0, 1.0)),
        ("HE-PFF-type", "HE-MOM-type"),
        (("OTO76", "76/62 naval gun"), ("MK75", "Mk 75")),
    ),
    FamilyKind(
        "127mm-naval", "127", "1320", "127mm", None, _S, (8000, 20000), (100, 1500),
        (8000, 15000), (15, 24), (2, 20), ((NC, 0.010, 0.013), (HEX, 0.003, 0.0035),
                                           (FUZE, 1.0, 1.0)),
        ("HE Mk64-type", "HE-PD-type"),
        (("MK45", "Mk 45 Mod 4"), ("LW127", "127/64 LW")),
    ),
)
# fmt: on

# Invented stems for supplier names; any likeness to a real firm is accidental.
SUPPLIER_STEMS: tuple[str, ...] = (
    "Ardeno",
    "Belvar",
    "Corvath",
    "Dravik",
    "Elmont",
    "Farrowby",
    "Galdren",
    "Hesketh",
    "Istrel",
    "Jorvane",
    "Kelvard",
    "Lundmar",
    "Maravel",
    "Norvane",
    "Osterlin",
    "Pellack",
    "Quarren",
    "Rosmund",
    "Saltrey",
    "Torvald",
    "Ulverin",
    "Valdane",
    "Wexmoor",
    "Ystrad",
    "Zellwood",
    "Ambrant",
    "Brackwell",
    "Cardelle",
    "Dunhallow",
    "Evershaw",
)
SECTOR_ACTIVITIES: dict[Sector, tuple[str, ...]] = {
    Sector.SHELLS: ("Munitions", "Ordnance Works", "Ammunition", "Arsenal"),
    Sector.SMALL_CALIBRE: ("Cartridge Works", "Small Calibre", "Munitions"),
    Sector.MISSILES: ("Missile Systems", "Guided Weapons", "Aerospace", "Defence Systems"),
}
