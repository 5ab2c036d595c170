"""Figures from the Home Office open data tables' offence codes (docs/data-contract.md, "Figures from the
offence groups and subgroups"). Not yet used by a report (issue 28).

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
from ..data.homeoffice import normalise
from ..data.periods import Period, PeriodError, fy_label, month_index, month_label, month_of

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
# (group id, the subgroup normalised) -> figure id
SUBGROUPS = {
    ("vap", "homicide"): "vap_homicide",
    ("vap", "death or serious injury caused by unlawful driving"): "vap_death_or_serious_injury_unlawful_driving",
    ("vap", "violence with injury"): "vap_violence_with_injury",
    ("vap", "violence without injury"): "vap_violence_without_injury",
    ("vap", "stalking and harassment"): "vap_stalking_and_harassment",
    ("sexual_offences", "rape"): "rape",
    ("sexual_offences", "other sexual offences"): "other_sexual_offences",
    ("robbery", "robbery of business property"): "robbery_of_business_property",
    ("robbery", "robbery of personal property"): "robbery_of_personal_property",
    ("theft_offences", "domestic burglary"): "domestic_burglary",
    ("theft_offences", "non-domestic burglary"): "non_domestic_burglary",
    ("theft_offences", "residential burglary"): "residential_burglary",
    ("theft_offences", "business and community burglary"): "business_and_community_burglary",
    ("theft_offences", "vehicle offences"): "vehicle_offences",
    ("theft_offences", "theft from the person"): "theft_from_the_person",
    ("theft_offences", "bicycle theft"): "bicycle_theft",
    ("theft_offences", "shoplifting"): "shoplifting",
    ("theft_offences", "all other theft offences"): "all_other_theft_offences",
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


def quarters_of(period: Period) -> list[tuple[int, int]]:
    """(financial year's first year, quarter 1 to 4) of a period of whole quarters; a span that starts or ends
    inside a quarter is refused (PeriodError) with the whole quarters around it."""
    first_ok = (month_of(period.first)[1] - 4) % 3 == 0
    last_ok = (month_of(period.last)[1] - 3) % 3 == 0
    if not (first_ok and last_ok):
        start = period.first - (month_of(period.first)[1] - 4) % 3
        end = period.last + (3 - (month_of(period.last)[1] - 3) % 3) % 3
        raise PeriodError(
            f"period '{period.label}' ({period.long_label}) is not whole quarters, and the Home Office tables count "
            f"quarters: choose one that is, e.g. {Period(start, end).label} ({month_label(start)} to "
            f"{month_label(end)}), a financial year (2016/17) or a quarter (2016/17-Q3)"
        )
    out = []
    for m in range(period.first, period.last + 1, 3):
        y, mo = month_of(m)
        fy = y if mo >= 4 else y - 1
        out.append((fy, (mo - 4) % 12 // 3 + 1))
    return out


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


__all__ = [
    "SOURCE",
    "GROUPS",
    "SUBGROUPS",
    "NO_EQUIVALENT",
    "counts",
    "group_id",
    "subgroup_id",
    "quarters_of",
    "quarter_period",
    "quarter_label",
    "rows_of",
    "unlisted",
]
