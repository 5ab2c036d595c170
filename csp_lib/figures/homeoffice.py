"""Figures from the Home Office open data tables' offence codes (docs/data-contract.md, "Figures from the
offence groups and subgroups"): the counts a report from the tables reads (:func:`wide`; the cube: cube.py).

Every offence code of the tables comes with the Home Office's own offence group and subgroup; a figure is
the sum of the codes of a group (:data:`GROUPS`) or a subgroup (:data:`SUBGROUPS`), named by the existing
figure id where the meaning is the same (``vap``, ``sexual_offences``, ``rape``, ``theft_offences``, ...)
and by a new one otherwise (``vap_violence_with_injury``, ``domestic_burglary``, ...). ``all_crime`` is the
tables' total recorded crime: every code but the fraud offences (recorded by Action Fraud, CIFAS and UK
Finance for the whole country, and so left out of an area's total as the Home Office leaves them out).

The names are compared as the tables' headers are (no case; spaces and underscores alike). A group or
subgroup the mapping does not name is data, never one of these ids: it is counted in ``all_crime`` and
under ``unlisted_offence_group_<slug>_<digest>`` (``unlisted_offence_subgroup_...``), its own key for each
spelling (a subgroup written ``All crime`` cannot replace ``all_crime``), and listed by :func:`unlisted`.

The seed report's serious / less serious / non-injury assault split (``vap_serious_assault``, ...) is the
force's local classification: the tables have no equivalent, and their violence with injury / without
injury / stalking and harassment split is a different one, shown under its own ids, never relabelled.

Periods: the tables count quarters (1 is April to June). A report period must be whole quarters:
:func:`quarters_of` gives them, or refuses a span that is not.
"""

from __future__ import annotations

import hashlib

from ..data.contract import slug
from ..data.homeoffice import NOT_IN_TABLES, normalise, quarters_of
from ..data.periods import Period, fy_label, month_index

SOURCE = "Home Office police recorded crime open data tables"
FRAUD = "fraud offences"
# the Home Office offence group (normalised) -> figure id; the ids of the force extract's groups where they exist
GROUPS = {
    "violence against the person": "vap",
    "sexual offences": "sexual_offences",
    "robbery": "robbery",
    "theft offences": "theft_offences",
    "criminal damage and arson": "criminal_damage_and_arson",
    "drug offences": "drug_offences",
    "possession of weapons offences": "possession_of_weapons_offences",
    "public order offences": "public_order_offences",
    "miscellaneous crimes against society": "miscellaneous_crimes_against_society",
    FRAUD: "fraud_offences",
}
# (group id, the subgroup normalised) -> figure id. Releases spell some subgroups otherwise: the recent
# tables (2024/25's sheets, as public code reading them spells them) say "Rape offences", "Other theft
# offences", "Death or serious injury - unlawful driving" and "Residential burglary" / "Non-residential
# burglary"; both spellings are one figure
SUBGROUPS = {
    ("vap", "homicide"): "vap_homicide",
    ("vap", "death or serious injury caused by unlawful driving"): "vap_death_or_serious_injury_unlawful_driving",
    ("vap", "death or serious injury - unlawful driving"): "vap_death_or_serious_injury_unlawful_driving",
    ("vap", "violence with injury"): "vap_violence_with_injury",
    ("vap", "violence without injury"): "vap_violence_without_injury",
    ("vap", "stalking and harassment"): "vap_stalking_and_harassment",
    ("sexual_offences", "rape"): "rape",
    ("sexual_offences", "rape offences"): "rape",
    ("sexual_offences", "other sexual offences"): "other_sexual_offences",
    ("robbery", "robbery of business property"): "robbery_of_business_property",
    ("robbery", "robbery of personal property"): "robbery_of_personal_property",
    ("theft_offences", "domestic burglary"): "domestic_burglary",
    ("theft_offences", "non-domestic burglary"): "non_domestic_burglary",
    ("theft_offences", "residential burglary"): "residential_burglary",
    ("theft_offences", "business and community burglary"): "business_and_community_burglary",
    ("theft_offences", "non-residential burglary"): "non_residential_burglary",
    ("theft_offences", "vehicle offences"): "vehicle_offences",
    ("theft_offences", "theft from the person"): "theft_from_the_person",
    ("theft_offences", "bicycle theft"): "bicycle_theft",
    ("theft_offences", "shoplifting"): "shoplifting",
    ("theft_offences", "all other theft offences"): "all_other_theft_offences",
    ("theft_offences", "other theft offences"): "all_other_theft_offences",
    ("criminal_damage_and_arson", "arson"): "arson",
    ("criminal_damage_and_arson", "criminal damage"): "criminal_damage",
    ("drug_offences", "trafficking of drugs"): "trafficking_of_drugs",
    ("drug_offences", "possession of drugs"): "possession_of_drugs",
}
# the seed's figures that the tables cannot give, and what the page shows in their place
NO_EQUIVALENT = {
    "vap_serious_assault": "vap_violence_with_injury",
    "vap_less_serious_assault": "vap_violence_with_injury",
    "vap_non_injury_assault": "vap_violence_without_injury",
    "sexual_assault": "other_sexual_offences",
}


def no_equivalent_note(fid: str) -> str:
    """Why a figure of the seed's report has no Home Office equivalent, and what the page shows instead."""
    what = "violence" if fid.startswith("vap_") else "sexual offences"
    return (
        f"no Home Office equivalent (the force's own classification): the Home Office's split of {what} is shown "
        "instead"
    )


# the Home Office burglary subgroups (domestic and non-domestic to 2016/17, residential and business and
# community since, residential and non-residential in the recent tables): all burglary is their sum, as the
# force extract's burglary counts every burglary
BURGLARY = (
    "domestic_burglary",
    "non_domestic_burglary",
    "residential_burglary",
    "business_and_community_burglary",
    "non_residential_burglary",
)


def _unlisted(kind: str, name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"unlisted_offence_{kind}_{slug(name)[:40]}_{digest}"


def group_id(group: str) -> str:
    return GROUPS.get(normalise(group)) or _unlisted("group", str(group))


def subgroup_id(group: str, subgroup: str) -> str | None:
    """The subgroup's figure id; None where the subgroup is its group (``Public order offences``) and for the
    fraud offences (counted as one figure: their subgroups are the recording bodies' own)."""
    gid = group_id(group)
    if normalise(subgroup) == normalise(group) or gid == "fraud_offences":
        return None
    return SUBGROUPS.get((gid, normalise(subgroup))) or _unlisted("subgroup", f"{group} / {subgroup}")


def quarter_period(year: int, quarter: int) -> Period:
    first = month_index(year, 4) + 3 * (quarter - 1)
    return Period(first, first + 2, "quarter")


def quarter_label(year: int, quarter: int) -> str:
    return f"{fy_label(year)}-Q{quarter}"


def rows_of(cube, level: str, area: str | None = None, force: str | None = None):
    """The cube's rows of an area: a CSP (``level`` ``csp``), a force area (``pfa``), or, with ``force``, every
    CSP of that force (the force area as the sum of its CSPs); bodies that are not areas never."""
    rows = cube[(cube["level"] == level) & ~cube["body"]]
    if force is not None:
        rows = rows[rows["force"] == force]
    if area is not None:
        rows = rows[rows["csp" if level == "csp" else "force"] == area]
    return rows


def counts(rows, quarters: list[tuple[int, int]]) -> dict[str, int]:
    """Figure id -> offences in ``quarters``: ``all_crime`` (fraud excluded), each group, each subgroup. Every
    id of the mapping is there (0 where the rows have none), and each unlisted name the rows hold."""
    wanted = set(quarters)
    keep = [(int(y), int(q)) in wanted for y, q in zip(rows["year"], rows["quarter"])]
    rows = rows[keep]
    out = {"all_crime": 0, **dict.fromkeys(GROUPS.values(), 0), **dict.fromkeys(SUBGROUPS.values(), 0)}
    by = rows.groupby(["offence_group", "offence_subgroup"], dropna=False)["n"].sum()
    for (group, subgroup), n in by.items():
        group, subgroup = str(group if group == group else ""), str(subgroup if subgroup == subgroup else "")
        gid = group_id(group)
        out[gid] = out.get(gid, 0) + int(n)
        sid = subgroup_id(group, subgroup)
        if sid is not None:
            out[sid] = out.get(sid, 0) + int(n)
        if normalise(group) != FRAUD:
            out["all_crime"] += int(n)
    return out


def unlisted(rows) -> list[str]:
    """The groups and subgroups of ``rows`` the mapping does not name, as ``group / subgroup``."""
    out = set()
    for group, subgroup in rows[["offence_group", "offence_subgroup"]].drop_duplicates().itertuples(index=False):
        group, subgroup = str(group), str(subgroup)
        if normalise(group) not in GROUPS:
            out.add(group)
        elif (sid := subgroup_id(group, subgroup)) is not None and sid.startswith("unlisted_"):
            out.add(f"{group} / {subgroup}")
    return sorted(out)


def wide(rows):
    """The cube's counts: ``rows`` (district, month, offence_group, offence_subgroup, n) as one column per figure
    id (:func:`counts`' ids, and ``burglary``), indexed by (district, month)."""
    import pandas as pd

    def text(v) -> str:
        return "" if v is None or v != v else str(v)

    pairs = rows[["offence_group", "offence_subgroup"]].drop_duplicates()
    ids = []
    for group, subgroup in pairs.itertuples(index=False):
        g, sg = text(group), text(subgroup)
        sid = subgroup_id(g, sg)
        names = [group_id(g)] + ([sid] if sid else []) + ([] if normalise(g) == FRAUD else ["all_crime"])
        ids.append((group, subgroup, names))
    key = pd.DataFrame(ids, columns=["offence_group", "offence_subgroup", "id"]).explode("id")
    long = rows.merge(key, on=["offence_group", "offence_subgroup"], how="left")
    out = long.pivot_table(index=["district", "month"], columns="id", values="n", aggfunc="sum", fill_value=0)
    out.columns.name = None
    for name in ["all_crime", *GROUPS.values(), *SUBGROUPS.values()]:
        if name not in out:
            out[name] = 0
    out = out.astype("int64")
    out["burglary"] = out[list(BURGLARY)].sum(axis=1)
    return out.sort_index()


def provenance(fid: str, table: str, areas: str | None = None) -> dict | None:
    """Where a figure of a report from the tables comes from (figures.json ``provenance``): the source, the
    table (``csp``, ``pfa``, ``csp summed by force``), the areas it sums (a comparison's) and the offence group
    or subgroup it counts; None for an id the tables do not give."""
    base = {"source": "homeoffice", "table": table} | ({"areas": areas} if areas else {})
    if fid == "all_crime":
        return base | {"counts": "every offence code but the fraud offences"}
    if fid == "burglary":
        return base | {"counts": "the burglary subgroups: " + ", ".join(BURGLARY)}
    for group, gid in GROUPS.items():
        if fid == gid:
            return base | {"offence_group": group}
    for (gid, subgroup), sid in SUBGROUPS.items():
        if fid == sid:
            group = next(g for g, i in GROUPS.items() if i == gid)
            return base | {"offence_group": group, "offence_subgroup": subgroup}
    if fid.startswith("unlisted_offence_"):
        return base | {"counts": "an offence group or subgroup the mapping does not name"}
    return None


# what each police.uk figure of a report with both sources counts (data/combined.py)
POLICEUK_COUNTS = {
    "asb_incidents": "the street files' rows of crime type Anti-social behaviour, by quarter (whole quarters only)",
}


def policeuk_provenance(fid: str, districts: list[str], areas: str | None = None) -> dict:
    """Where a police.uk figure of a report with both sources comes from (figures.json ``provenance``): the
    street files, what it counts and the police.uk districts counted (a comparison's: the areas it sums)."""
    out = {"source": "police.uk", "table": "street files", "counts": POLICEUK_COUNTS.get(fid, "police.uk street files")}
    return out | ({"areas": areas} if areas else {"districts": list(districts)})


__all__ = [
    "POLICEUK_COUNTS",
    "policeuk_provenance",
    "SOURCE",
    "GROUPS",
    "SUBGROUPS",
    "NO_EQUIVALENT",
    "NOT_IN_TABLES",
    "no_equivalent_note",
    "counts",
    "provenance",
    "wide",
    "group_id",
    "subgroup_id",
    "quarters_of",
    "quarter_period",
    "quarter_label",
    "rows_of",
    "unlisted",
]
