"""The report's sections: their order, titles, and the figure ids each shows.

One notebook per section lives in ``notebooks/<number>-<slug>.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..data import contract
from ..data.contract import ASSAULTS, INTERVENTION_NAMES, INTERVENTION_TYPES, POLICE_UK_CRIME_TYPES, slug
from ..data.policeuk import UNLISTED

LABELS = {
    "all_crime": "All crime",
    "theft_offences": "Theft offences",
    "burglary": "Burglary",
    "vehicle_offence": "Vehicle offences",
    "shoplifting": "Shoplifting",
    "other_theft": "Other theft",
    "vap": "Violence against the person",
    "vap_serious_assault": "Serious assaults",
    "vap_less_serious_assault": "Less serious assaults",
    "vap_non_injury_assault": "Non-injury assaults",
    "harassment": "Stalking and harassment",
    "other_violence": "Other violence",
    "vap_night_time_economy": "Violence linked to the night-time economy",
    "sexual_offences": "All sexual offences",
    "rape": "Rape",
    "sexual_assault": "Sexual assault",
    "other_sexual_offence": "Other sexual offences",
    "sexual_offences_under_16": "Sexual offences (children under 16)",
    "sexual_offences_non_recent": "Non-recent sexual offences",
    "rape_committed_in_period": "Rapes that took place in the period",
    "domestic_abuse": "Domestic abuse (all crimes with the marker)",
    "domestic_assaults": "All domestic assaults",
    "domestic_serious_assault": "Serious domestic assaults",
    "domestic_less_serious_assault": "Less serious domestic assaults",
    "domestic_non_injury_assault": "Non-injury domestic assaults",
    "marac_cases": "MARAC cases listed",
    "marac_children": "Children listed in MARAC cases",
    "marac_repeat_cases": "Repeat MARAC cases listed",
    "asb_incidents": "Antisocial behaviour incidents",
    "hate_crime": "Hate crime",
    "hate_crime_race": "Race",
    "hate_crime_religion": "Religion",
    "hate_crime_sexual_orientation": "Sexual orientation",
    "hate_crime_transgender": "Transgender",
    "hate_crime_disability": "Disability",
    "hate_incident_racist": "Racist incident",
    "hate_incident_homophobic": "Homophobic incident",
    "cse_flagged_crimes": "Crimes flagged as child sexual exploitation",
    "cse_cpw": "Community Protection Warnings (CSE)",
    "cse_cpn": "Community Protection Notices (CSE)",
    "robbery": "Robbery",
    "criminal_damage_and_arson": "Criminal damage and arson",
    "drug_offences": "Drug offences",
    "possession_of_weapons_offences": "Possession of weapons",
    "public_order_offences": "Public order offences",
    "miscellaneous_crimes_against_society": "Miscellaneous crimes against society",
}

# police.uk crime types: their figure ids, and their names as labels where the contract has none
POLICE_UK_IDS = [slug(t) for t in POLICE_UK_CRIME_TYPES]
LABELS.update({slug(t): t for t in POLICE_UK_CRIME_TYPES if slug(t) not in LABELS})

LABELS.update({f"asb_{tid}": INTERVENTION_NAMES[typ] for typ, tid in INTERVENTION_TYPES.items()})

# the Home Office tables' subgroups (figures/homeoffice.py), named as the Home Office names them; where the seed
# has a figure of the same words and another meaning, "(Home Office)" tells them apart
LABELS.update(
    {
        "vap_homicide": "Homicide",
        "vap_death_or_serious_injury_unlawful_driving": "Death or serious injury caused by unlawful driving",
        "vap_violence_with_injury": "Violence with injury",
        "vap_violence_without_injury": "Violence without injury",
        "vap_stalking_and_harassment": "Stalking and harassment (Home Office)",
        "other_sexual_offences": "Other sexual offences (Home Office)",
        "robbery_of_business_property": "Robbery of business property",
        "robbery_of_personal_property": "Robbery of personal property",
        "domestic_burglary": "Domestic burglary",
        "non_domestic_burglary": "Non-domestic burglary",
        "residential_burglary": "Residential burglary",
        "business_and_community_burglary": "Business and community burglary",
        "non_residential_burglary": "Non-residential burglary",
        "vehicle_offences": "Vehicle offences",
        "theft_from_the_person": "Theft from the person",
        "bicycle_theft": "Bicycle theft",
        "all_other_theft_offences": "All other theft offences",
        "arson": "Arson",
        "criminal_damage": "Criminal damage",
        "trafficking_of_drugs": "Trafficking of drugs",
        "possession_of_drugs": "Possession of drugs",
        "fraud_offences": "Fraud offences",
    }
)

# Home Office offence groups, for "what drove the change" in the overview
GROUP_IDS = [
    "vap",
    "sexual_offences",
    "robbery",
    "theft_offences",
    "criminal_damage_and_arson",
    "drug_offences",
    "possession_of_weapons_offences",
    "public_order_offences",
    "miscellaneous_crimes_against_society",
]


# ids drawn as four-year trends, monthly series and district tables
HEADLINE = [
    "all_crime",
    "theft_offences",
    "vap",
    "sexual_offences",
    "rape",
    "domestic_abuse",
    "asb_incidents",
    "hate_crime",
]
COUNTY_IDS = (
    HEADLINE
    + [f"vap_{k}" for k in ASSAULTS]
    + ["sexual_assault", "sexual_offences_under_16", "domestic_assaults", "burglary"]
)
RATE_IDS = COUNTY_IDS  # rates per 1,000 residents (burglary: per 1,000 households)
TREND_IDS = HEADLINE + ["cse_flagged_crimes"]
RANK_IDS = HEADLINE
RISING_IDS = ["all_crime", "theft_offences", "vap", "sexual_offences", "domestic_abuse", "asb_incidents"]
AGE_BANDS = contract.AGE_BANDS  # the age profiles' bands: the data counts ages by them (data/counted.py)


def label(fid: str) -> str:
    if fid in LABELS:
        return LABELS[fid]
    if fid.startswith("referrals_"):
        return fid[len("referrals_") :].replace("_", " ").title() + " referrals"
    if fid.startswith(UNLISTED):  # unlisted_crime_type_<slug>_<digest>
        return fid[len(UNLISTED) :].rsplit("_", 1)[0].replace("_", " ").capitalize() + " (not a police.uk crime type)"
    if fid.startswith("hate_incident_"):
        return fid[len("hate_incident_") :].replace("_", " ").capitalize() + " incident"
    return fid.replace("_", " ").capitalize()


# how a sentence names a figure where the table label is too long for it, and its unit in a rate
SUBJECTS = {
    "sexual_offences": "Sexual offences",
    "domestic_abuse": "Domestic abuse",
    "asb_incidents": "Antisocial behaviour",
    "cse_flagged_crimes": "Crimes flagged as CSE",
}
NOUNS = {
    "all_crime": "crimes",
    "burglary": "burglaries",
    "vap": "violent crimes",
    "sexual_offences": "sexual offences",
    "domestic_abuse": "domestic abuse crimes",
    "asb_incidents": "incidents",
    "hate_crime": "hate crimes",
}


# the section that shows a partner programme's referrals (referrals.csv), where it is not antisocial behaviour's
PROGRAMME_SECTIONS = {"referrals_avert": "violence"}


# how the committee paper numbers the sections, as the published report does: the partnership's priorities
# under Performance (6.0 all crime, 6.1 violence ... 6.5 CSE), each later section a number of its own (7.0
# hate crime), and the analysts' own priorities page a number for each of its headings (8.0 counter terrorism,
# 9.0 serious organised crime, 10.0 modern slavery)
PRIORITIES = (
    "overview",
    "violence",
    "sexual-offences",
    "domestic-abuse",
    "antisocial-behaviour",
    "child-sexual-exploitation",
)
NUMBERED_HEADINGS = ("other-priorities",)


# police.uk open data publishes violence and sexual offences as one category: where a report has only that,
# the violence and sexual offences pages draw its trend, months and county ranking instead, labelled as it
STAND_INS = {"vap": "violence_and_sexual_offences", "sexual_offences": "violence_and_sexual_offences"}


def subject(fid: str) -> str:
    """The figure as the subject of a sentence: ``Sexual offences in Blackpool ...``."""
    return SUBJECTS.get(fid, label(fid))


def noun(fid: str) -> str:
    """What a rate of the figure counts: ``133.7 crimes per 1,000 residents``."""
    return NOUNS.get(fid, label(fid).lower())


@dataclass(frozen=True)
class Section:
    number: int
    slug: str
    title: str
    table: list[str] = field(default_factory=list)
    open_data: list[str] = field(default_factory=list)  # what police.uk open data shows instead
    home_office: list[str] = field(default_factory=list)  # what the Home Office tables show (their own split)
    # why a report from the Home Office tables leaves the section out (None: it is in every report)
    not_in_home_office: str | None = None

    @property
    def notebook(self) -> str:
        return f"{self.number:02d}-{self.slug}"


SECTIONS = [
    Section(
        1,
        "overview",
        "All crime",
        table=["all_crime"] + GROUP_IDS,
        open_data=["all_crime", "theft_offences", *POLICE_UK_IDS],
        home_office=[
            "burglary",
            "domestic_burglary",
            "non_domestic_burglary",
            "residential_burglary",
            "business_and_community_burglary",
            "non_residential_burglary",
            "vehicle_offences",
            "theft_from_the_person",
            "bicycle_theft",
            "shoplifting",
            "all_other_theft_offences",
            "robbery_of_business_property",
            "robbery_of_personal_property",
            "criminal_damage",
            "arson",
        ],
    ),
    Section(
        2,
        "violence",
        "Violence against the person",
        table=[
            "vap",
            "vap_serious_assault",
            "vap_less_serious_assault",
            "vap_non_injury_assault",
            "harassment",
            "other_violence",
            "vap_night_time_economy",
        ],
        open_data=["violence_and_sexual_offences"],
        home_office=[
            "vap",
            "vap_homicide",
            "vap_death_or_serious_injury_unlawful_driving",
            "vap_violence_with_injury",
            "vap_violence_without_injury",
            "vap_stalking_and_harassment",
        ],
    ),
    Section(
        3,
        "sexual-offences",
        "Sexual offences and rape",
        table=[
            "sexual_offences",
            "rape",
            "sexual_assault",
            "other_sexual_offence",
            "sexual_offences_under_16",
            "sexual_offences_non_recent",
            "rape_committed_in_period",
        ],
        open_data=["violence_and_sexual_offences"],
        home_office=["sexual_offences", "rape", "other_sexual_offences"],
    ),
    Section(
        4,
        "domestic-abuse",
        "Domestic abuse",
        table=[
            "domestic_assaults",
            "domestic_serious_assault",
            "domestic_less_serious_assault",
            "domestic_non_injury_assault",
            "domestic_abuse",
        ],
        not_in_home_office="the Home Office tables have no domestic abuse marker, and MARAC cases come from partners",
    ),
    Section(
        5,
        "antisocial-behaviour",
        "Antisocial behaviour",
        table=["asb_incidents"],
        not_in_home_office="antisocial behaviour incidents are not crimes, and not in the Home Office tables",
    ),
    Section(
        6,
        "child-sexual-exploitation",
        "Child sexual exploitation",
        table=["cse_cpw", "cse_cpn", "cse_flagged_crimes"],
        not_in_home_office="the Home Office tables have no exploitation flag, and warnings and notices come from "
        "partners",
    ),
    Section(
        7,
        "hate-crime",
        "Hate crime",
        table=[
            "hate_crime",
            "hate_crime_race",
            "hate_crime_religion",
            "hate_crime_sexual_orientation",
            "hate_crime_transgender",
            "hate_crime_disability",
            "hate_incident_homophobic",
            "hate_incident_racist",
        ],
        not_in_home_office="hate crime is in the Home Office's separate hate crime tables, not in these",
    ),
    Section(
        8,
        "other-priorities",
        "Counter terrorism, serious organised crime and modern slavery",
        open_data=["drugs", "possession_of_weapons"],
        home_office=["drug_offences", "trafficking_of_drugs", "possession_of_drugs", "possession_of_weapons_offences"],
    ),
]
BY_SLUG = {s.slug: s for s in SECTIONS}


def left_out(figs: dict) -> dict[str, str]:
    """The built-in sections a report leaves out, each with why: those a report from the Home Office tables
    cannot give (figures.json ``data_format`` ``home office``), but those police.uk street files beside the
    tables give (``source.policeuk``: antisocial behaviour); none otherwise."""
    if figs.get("data_format") != "home office":
        return {}
    street = bool((figs.get("source") or {}).get("policeuk"))  # police.uk files beside them give ASB back
    return {
        s.slug: s.not_in_home_office
        for s in SECTIONS
        if s.not_in_home_office and not (street and s.slug in FROM_POLICEUK)
    }


FROM_POLICEUK = ("antisocial-behaviour",)  # sections police.uk street files beside the Home Office tables give


# the notebooks' section headings that speak of months and of "the county", as a report from the Home Office
# tables says them: the tables count quarters, and a CSP's comparison is its force area, a force area's its
# region or England and Wales (publish/execute.py rewrites a built notebook's headings so, before it runs)
HOME_OFFICE_HEADINGS = {
    "## Month by month, and over the years": "## Quarter by quarter, and over the years",
    "## Over the years, and month by month": "## Over the years, and quarter by quarter",
    "## Month by month: normal variation or a signal?": "## Quarter by quarter: normal variation or a signal?",
}


def force_area_report(figs: dict) -> bool:
    """Whether a figures.json is a police force area's report (its ``level``, ``pfa``: from the Home Office
    tables), read by a Police and Crime Panel, rather than a partnership's or a district's."""
    return figs.get("level") == "pfa"


NATIONS = ("england", "wales")  # a region of the tables named as a nation reads as itself, not "the Wales region"


def comparison_name(county: str, level: str | None, article: bool = True) -> str:
    """How the pages name a report's comparison (its ``county``): as written, but a force area's region
    (a force area's county that is not England and Wales, from areas.csv) as a region: ``the North West
    region`` (``North West region`` without ``article``, for a title), ``the London Region`` where the name
    says so itself, ``Wales``."""
    from ..data.homeoffice import NATION

    if level != "pfa" or county == NATION or county.strip().casefold() in NATIONS:
        return county
    words = county.split()
    named = county if words and words[-1].casefold() == "region" else f"{county} region"
    if named.casefold().startswith("the "):
        named = named[4:]
    return f"the {named}" if article else named


def county_name(figs: dict, article: bool = True) -> str:
    """:func:`comparison_name` of a figures.json (its ``county`` and ``level``): ``Lancashire``, ``England and
    Wales``, ``the North West region``."""
    return comparison_name(str(figs.get("county", "")), figs.get("level"), article)


def headings(figs: dict) -> dict[str, str]:
    """The section headings a report says otherwise than the notebooks write them (``## Compared with the
    county`` -> ``## Compared with the force area``); none but for a report from the Home Office tables."""
    if figs.get("data_format") != "home office":
        return {}
    whole = county_name(figs) if force_area_report(figs) else "the force area"
    return HOME_OFFICE_HEADINGS | {"## Compared with the county": f"## Compared with {whole}"}


def get(slug: str) -> Section:
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise KeyError(f"no section {slug!r}; sections are: {', '.join(BY_SLUG)}") from None


def discover(notebooks) -> list[Section]:
    """The report's sections: the built-in ones, then any notebook an analyst added
    (``NN-slug.ipynb``, titled by its first ``# heading``), in file-name order."""
    import json
    from pathlib import Path

    known = {s.notebook: s for s in SECTIONS}
    out = []
    for path in sorted(Path(notebooks).glob("[0-9][0-9]-*.ipynb")):
        if path.stem in known:
            out.append(known[path.stem])
            continue
        number, slug_ = path.stem.split("-", 1)
        title = slug_.replace("-", " ").capitalize()
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            src = "".join(cell["source"]).strip()
            if cell["cell_type"] == "markdown" and src.startswith("# "):
                title = src.splitlines()[0][2:].strip()
                break
        out.append(Section(int(number), slug_, title))
    return out
