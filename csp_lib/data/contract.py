"""The data contract (docs/data-contract.md) in one place.

Every mapping from an offence to its group and report category, every table's
columns and every figure id lives here; nothing else in csp_lib spells them out.
``DataError`` is how input that breaks it is refused: the file, the line or row,
the column and the problem.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path


class DataError(Exception):
    """Bad input: names the file, the line or row, the column and the problem."""

    def __init__(
        self, path, problem: str, line: int | None = None, column: str | None = None, hint: str = "", more: int = 0
    ):
        self.path, self.line, self.column, self.problem = path, line, column, problem
        where = [str(path)]
        if line is not None:
            where.append(f"{'line' if str(path).endswith(('.csv', '.csv.gz')) else 'row'} {line}")
        if column is not None:
            where.append(f"column '{column}'")
        msg = ", ".join(where) + f": {problem}"
        if more:
            msg += f" ({more} more row{'s' if more > 1 else ''} like it)"
        if hint:
            msg += f". {hint[0].upper()}{hint[1:]}"
        super().__init__(msg)


# offence -> (Home Office offence group, report category or None)
OFFENCES: dict[str, tuple[str, str | None]] = {
    "Serious assault": ("Violence against the person", "serious assault"),
    "Less serious assault": ("Violence against the person", "less serious assault"),
    "Non-injury assault": ("Violence against the person", "non-injury assault"),
    "Harassment": ("Violence against the person", "stalking and harassment"),
    "Other violence": ("Violence against the person", "other violence"),
    "Rape": ("Sexual offences", "rape"),
    "Sexual assault": ("Sexual offences", "sexual assault"),
    "Other sexual offence": ("Sexual offences", "other sexual offences"),
    "Robbery": ("Robbery", None),
    "Burglary": ("Theft offences", "burglary"),
    "Vehicle offence": ("Theft offences", "vehicle offences"),
    "Shoplifting": ("Theft offences", None),
    "Other theft": ("Theft offences", None),
    "Criminal damage": ("Criminal damage and arson", None),
    "Drug offence": ("Drug offences", None),
    "Possession of weapons": ("Possession of weapons offences", None),
    "Public order offence": ("Public order offences", None),
    "Other crime": ("Miscellaneous crimes against society", None),
}

VAP = "Violence against the person"
SEXUAL = "Sexual offences"
THEFT = "Theft offences"

ASSAULTS = {
    "serious_assault": "Serious assault",
    "less_serious_assault": "Less serious assault",
    "non_injury_assault": "Non-injury assault",
}

# the age bands of the victims' and offenders' profiles, and the age below which a victim is a child
AGE_BANDS = {"victim": [(15, 24)], "offender": [(15, 24), (25, 29)]}
CHILD_AGE = 16

HATE_STRANDS = ("race", "religion", "sexual_orientation", "transgender", "disability")

INTERVENTION_TYPES = {
    "CPW": "cpw",
    "CPN": "cpn",
    "CPN breach": "cpn_breach",
    "FPN": "fpn",
    "Civil injunction": "civil_injunction",
    "CBO": "cbo",
    "PSPO": "pspo",
    "Court undertaking": "court_undertaking",
}
INTERVENTION_NAMES = {
    "CPW": "Community Protection Warnings",
    "CPN": "Community Protection Notices",
    "CPN breach": "Community Protection Notice breaches/prosecutions",
    "FPN": "Fixed Penalty Notices",
    "Civil injunction": "Civil Injunctions",
    "CBO": "Criminal Behaviour Orders",
    "PSPO": "Public Space Protection Orders",
    "Court undertaking": "Court Undertakings",
}
INTERVENTION_CONTEXTS = ("ASB", "CSE")

# data.police.uk street files (data-contract.md, "police.uk open data"): the ASB type and the
# crime types, in the order tables show them; a type's figure id is slug(type)
POLICE_UK_ASB = "Anti-social behaviour"
# a data folder holding this file is the invented demonstration data (``csp demo-data`` writes it)
DEMO_MARKER = "DEMONSTRATION-DATA.txt"

POLICE_UK_CRIME_TYPES = (
    "Violence and sexual offences",
    "Burglary",
    "Vehicle crime",
    "Theft from the person",
    "Bicycle theft",
    "Shoplifting",
    "Other theft",
    "Robbery",
    "Criminal damage and arson",
    "Drugs",
    "Possession of weapons",
    "Public order",
    "Other crime",
)
ASB_CATEGORIES = ("personal", "nuisance", "environmental")


def offences_in_group(group: str) -> list[str]:
    return [o for o, (g, _) in OFFENCES.items() if g == group]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # str, date, int, bool, offence, district, strands, choice
    required: bool = True
    choices: tuple[str, ...] = ()
    unique: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    required: bool = False
    date_column: str | None = None


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "areas",
            (
                Column("district", "str", unique=True),
                Column("county", "str"),
                Column("population", "int", required=False),
                Column("households", "int", required=False),
                Column("code", "str", required=False),  # the ONS local authority code, to find its residents
                Column("csp", "str", required=False),  # the Home Office table's CSP Name of the district (combined.py)
                Column("region", "str", required=False),  # a Home Office force area's comparison (homeoffice.py)
            ),
            required=True,
        ),
        Table(
            "crimes",
            (
                Column("crime_ref", "str", unique=True),
                Column("recorded_date", "date"),
                Column("committed_date", "date", required=False),
                Column("district", "district"),
                Column("offence", "offence"),
                Column("victim_age", "int", required=False),
                Column("offender_age", "int", required=False),
                Column("domestic_abuse", "bool", required=False),
                Column("hate_strands", "strands", required=False),
                Column("cse", "bool", required=False),
                Column("night_time_economy", "bool", required=False),
                Column("lsoa_code", "lsoa", required=False),
                Column("lsoa_name", "str", required=False),
            ),
            required=True,
            date_column="recorded_date",
        ),
        Table(
            "asb_incidents",
            (
                Column("incident_ref", "str", unique=True),
                Column("date", "date"),
                Column("district", "district"),
                Column("asb_category", "choice", required=False, choices=ASB_CATEGORIES),
                Column("lsoa_code", "lsoa", required=False),
                Column("lsoa_name", "str", required=False),
            ),
            date_column="date",
        ),
        Table(
            "hate_incidents",
            (
                Column("incident_ref", "str", unique=True),
                Column("date", "date"),
                Column("district", "district"),
                Column("incident_type", "str"),
            ),
            date_column="date",
        ),
        Table(
            "interventions",
            (
                Column("intervention_ref", "str", unique=True),
                Column("date", "date"),
                Column("district", "district"),
                Column("type", "choice", choices=tuple(INTERVENTION_TYPES)),
                Column("context", "choice", choices=INTERVENTION_CONTEXTS),
                Column("case_ref", "str", required=False),
            ),
            date_column="date",
        ),
        Table(
            "marac_cases",
            (
                Column("case_ref", "str", unique=True),
                Column("listed_date", "date"),
                Column("district", "district"),
                Column("children", "int"),
                Column("repeat", "bool"),
            ),
            date_column="listed_date",
        ),
        Table(
            "referrals",
            (
                Column("referral_ref", "str", unique=True),
                Column("date", "date"),
                Column("district", "district"),
                Column("programme", "str"),
                Column("complied", "bool", required=False),
            ),
            date_column="date",
        ),
    )
}

# families.csv (optional, beside areas.csv): each district's most similar group, as iQuanta's most similar
# groups or CIPFA's nearest neighbours define it; a district is then also ranked within its group
FAMILIES = Table("families", (Column("district", "district", unique=True), Column("family", "str")))


def slug(text: str) -> str:
    """Lower-case, every run of non-alphanumerics as one ``_`` (figure ids, paths)."""
    out, last_us = [], False
    for ch in text.strip().lower():
        if ch.isalnum():
            out.append(ch)
            last_us = False
        elif not last_us:
            out.append("_")
            last_us = True
    return "".join(out).strip("_")


# characters that show nothing, or move the text around it: control characters (a line break, a tab), the
# invisible formatting ones (zero-width spaces, a byte-order mark) and the bidirectional overrides that can make
# a name read as another. A name from the data holding one is refused with its file, line and column.
HIDDEN = r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"


def hidden_in(value: str) -> str:
    """The first hidden character of ``value``, named by its code point (``U+000A``)."""
    m = re.search(HIDDEN, value)
    return f"U+{ord(m.group()):04X}" if m else ""


SLUG_MAX = 60  # characters of an area's folder name: 300-character names still make short paths


def area_slug(area: str) -> str:
    """``Blackburn with Darwen`` -> ``blackburn-with-darwen`` (folders and file names). A name longer than
    :data:`SLUG_MAX`, or one with no letter or digit (``???``), ends with 8 characters of its hash, so that
    its folder is short, never empty and never another name's."""
    s = slug(area).replace("_", "-")
    if s and len(s) <= SLUG_MAX:
        return s
    tag = hashlib.sha256(area.encode("utf-8")).hexdigest()[:8]
    return f"{s[: SLUG_MAX - 9].rstrip('-')}-{tag}" if s else f"area-{tag}"


def slug_clashes(names) -> list[tuple[str, str]]:
    """Pairs of different names that would share a folder (``St. Helens`` and ``St Helens``)."""
    seen: dict[str, str] = {}
    out = []
    for name in names:
        other = seen.setdefault(area_slug(name), name)
        if other != name:
            out.append((other, name))
    return out


def report_folder(area: str, period: str) -> Path:
    """Where one report's pages, commentary and logs live below their roots: ``blackpool/2016-17``."""
    from .periods import parse

    return Path(area_slug(area)) / parse(period).slug


def hate_incident_id(incident_type: str) -> str:
    """``Racist incident`` -> ``hate_incident_racist``."""
    words = [w for w in slug(incident_type).split("_") if w != "incident"]
    return "hate_incident_" + "_".join(words)


def referral_id(programme: str) -> str:
    return "referrals_" + slug(programme)


# figure ids every build carries (figures.md); more are added from the data
REQUIRED_IDS = (
    ["all_crime", "theft_offences", "vap"]
    + [f"vap_{k}" for k in ASSAULTS]
    + ["sexual_offences", "rape", "sexual_assault", "sexual_offences_under_16"]
    + ["sexual_offences_non_recent", "rape_committed_in_period"]
    + ["domestic_abuse", "domestic_assaults"]
    + [f"domestic_{k}" for k in ASSAULTS]
    + ["asb_incidents", "hate_crime"]
    + [f"hate_crime_{s}" for s in HATE_STRANDS]
    + ["hate_incident_racist", "hate_incident_homophobic"]
    + ["marac_cases", "marac_children", "marac_repeat_cases"]
    + [f"asb_{v}" for v in INTERVENTION_TYPES.values()]
    + ["cse_cpw", "cse_cpn"]
    + ["county_all_crime", "county_vap", "county_sexual_offences"]
    + ["county_domestic_abuse", "county_asb_incidents"]
    + ["vap_rank_in_county", "domestic_abuse_rank_in_county", "all_crime_rank_in_county"]
)
