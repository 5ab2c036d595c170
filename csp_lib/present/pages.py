"""Whole pages of a report in MyST markdown, from figures.json alone: the landing page (tiles,
headlines, sources, downloads), the data quality page and the offence list."""

from __future__ import annotations

from pathlib import Path

from ..data import contract
from ..data.periods import month_runs, parse
from ..figures.sections import BY_SLUG, HEADLINE, force_area_report, label, left_out
from . import downloads, narrative, revisions, text
from .icons import mdc_icon
from .narrative import short
from .tables import WITHHELD, records, withheld_note

# id, name, section page: the landing page's tiles and headline sentences
HEADLINE_TILES = [
    ("all_crime", "All crime", "01-overview"),
    ("vap", "Violence against the person", "02-violence"),
    ("sexual_offences", "Sexual offences", "03-sexual-offences"),
    ("domestic_abuse", "Domestic abuse", "04-domestic-abuse"),
    ("asb_incidents", "Antisocial behaviour incidents", "05-antisocial-behaviour"),
    ("hate_crime", "Hate crime", "07-hate-crime"),
]
# police.uk open data has no VAP, sexual offences, domestic abuse or hate crime: its own groups instead
OPEN_DATA_TILES = [
    ("all_crime", "All crime", "01-overview"),
    ("violence_and_sexual_offences", "Violence and sexual offences", "02-violence"),
    ("theft_offences", "Theft offences", "01-overview"),
    ("criminal_damage_and_arson", "Criminal damage and arson", "01-overview"),
    ("asb_incidents", "Antisocial behaviour incidents", "05-antisocial-behaviour"),
    ("public_order", "Public order offences", "01-overview"),
]
# the Home Office tables have no domestic abuse, ASB or hate crime: their own offence groups and subgroups instead
HOME_OFFICE_TILES = [
    ("all_crime", "All crime", "01-overview"),
    ("vap", "Violence against the person", "02-violence"),
    ("vap_violence_with_injury", "Violence with injury", "02-violence"),
    ("sexual_offences", "Sexual offences", "03-sexual-offences"),
    ("rape", "Rape", "03-sexual-offences"),
    ("theft_offences", "Theft offences", "01-overview"),
]
POLICEUK_ASB_TILE = ("asb_incidents", "Antisocial behaviour incidents (police.uk)", "05-antisocial-behaviour")
OGL_HOME_OFFICE = (
    "Contains public sector information licensed under the "
    "[Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/) "
    "(source: Home Office, police recorded crime open data tables)."
)
OGL = (
    "Contains public sector information licensed under the "
    "[Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/) "
    "(source: data.police.uk)."
)


def tile(figs: dict, fid: str, name: str, href: str) -> str:
    f = figs["figures"].get(fid, {})
    if f.get("value") is None and "value" in f.get("suppressed", []):  # a small count, or one that gives it away
        return (
            f'<a class="csp-tile" href="{href}"><span class="csp-tile-label">{name}</span>'
            f'<span class="csp-tile-value">n/a</span><span class="csp-tile-change">withheld</span></a>'
        )
    if f.get("value") is None:
        return (
            f'<a class="csp-tile" href="{href}"><span class="csp-tile-label">{name}</span>'
            f'<span class="csp-tile-value">n/a</span><span class="csp-tile-change">{f.get("note", "not in the data")}'
            "</span></a>"
        )
    if f.get("change") is None:
        change, cls, arrow = "no earlier year", "same", ""
    else:
        cls = "up" if f["change"] > 0 else "down" if f["change"] < 0 else "same"
        glyph = {"up": "&#9650;", "down": "&#9660;", "same": "&#9654;"}[cls]
        arrow = f'<span aria-hidden="true">{glyph} </span>'  # the sign says it in words
        change = f"{narrative.signed(f['change'])} ({narrative.pct(f['pct_change'], True, trim=False)})"
    prev = (
        f'<span class="csp-tile-prev">{narrative.short(figs, "previous")}: {narrative.num(f["previous"])}</span>'
        if f.get("previous") is not None
        else ""
    )
    verdict = ""
    if (sig := f.get("significance")) and sig.get("verdict") and f.get("change"):  # the change's test, in short
        short = "within chance" if sig["verdict"] == "no clear change" else "more than chance"
        verdict = f'<span class="csp-tile-prev csp-tile-verdict">{short}</span>'
    return (
        # named by what it shows (WCAG 2.5.3): "All crime 18,664 +2,059 (+12.4%) 2015/16: 16,605 more than chance"
        f'<a class="csp-tile" href="{href}">'
        f'<span class="csp-tile-label">{name}</span>'
        f'<span class="csp-tile-value">{narrative.num(f["value"])}</span>'
        f'<span class="csp-tile-change {cls}">{arrow}{change}</span>{prev}{verdict}'
        f"{mdc_icon(f.get('variation_icon'))}</a>"
    )


COVER_LINES = [  # cover.yml key, how the committee paper names it
    ("report_to", "Report to"),
    ("relevant_officer", "Relevant officer"),
    ("meeting_date", "Date of meeting"),
]
COVER_PARTS = [
    ("purpose", "Purpose of the report"),
    ("recommendation", "Recommendation"),
    ("reasons", "Reasons for the recommendation"),
    ("council_priority", "Council priority"),
    ("background", "Background"),
]


def committee_name(figs: dict | None) -> str:
    """Who the committee paper goes to: the scrutiny committee; a police force area's report (figures.json
    ``level`` ``pfa``), the Police and Crime Panel."""
    return "the Police and Crime Panel" if figs and force_area_report(figs) else "the scrutiny committee"


def committee(cover: dict, figs: dict | None = None) -> list[str]:
    """The front matter of the committee paper (commentary/<area>/<period>/cover.yml) as a section of the
    report's landing page: who it goes to and when, its purpose, recommendation and reasons, and the
    considerations. Empty fields are left out."""
    lines = [f"## For {committee_name(figs)}", ""]
    lines += [f"- **{name}:** {cover[key].strip()}" for key, name in COVER_LINES if cover.get(key, "").strip()]
    for key, name in COVER_PARTS:
        if text := cover.get(key, "").strip():
            paragraphs = [p.strip().replace("\n", " ") for p in text.split("\n\n") if p.strip()]
            lines += ["", f"**{name}.** {paragraphs[0]}", *[x for p in paragraphs[1:] for x in ("", p)]]
    if cover.get("considerations"):
        lines += ["", "**Considerations.**", ""]
        lines += [f"- {k}: {v}" for k, v in cover["considerations"].items() if v]
    back = [("Does the paper include any exempt information?", "exempt_information"), ("Appendices:", "appendices")]
    if any(cover.get(key, "").strip() for _, key in back):
        lines += [""] + [f"- {q} {cover[key].strip()}" for q, key in back if cover.get(key, "").strip()]
    return lines + [""]


def report_index(figs: dict, folder: Path, paper_name: str | None = None, cover: dict | None = None) -> str:
    """The landing page of one report: tiles, summary, headline sentences, sections, sources, downloads."""
    figs = text.view(figs)  # every value from the data as text, never markup
    open_data = figs.get("data_format") == "police.uk"
    home_office = figs.get("data_format") == "home office"
    headline_tiles = OPEN_DATA_TILES if open_data else HOME_OFFICE_TILES if home_office else HEADLINE_TILES
    if home_office and narrative.has_policeuk(figs):  # police.uk beside the tables: its ASB too, labelled
        headline_tiles = [*headline_tiles, POLICEUK_ASB_TILE]
    tiles = "".join(tile(figs, fid, name, f"{page}.html") for fid, name, page in headline_tiles)
    lines = [
        f"# {figs['area']}: {narrative.period_name(figs)}",
        "",
        narrative.banner(figs),
        f"{narrative.report_kind(figs)} performance report for **{figs['area']}**, "
        f"{narrative.period_name(figs)}, {narrative.compared_phrase(figs)}.",
        "",
        *revisions.withdrawn_note(figs),
        *revisions.revised_note(figs),
        *revisions.earlier_note(figs),
        f'<div class="csp-tiles">{tiles}</div>',
        "",
        narrative.summary(figs, [(fid, name) for fid, name, _ in headline_tiles[1:]]),
        "",
        "## Headlines",
        "",
    ]
    for fid, subject, _ in headline_tiles:
        lines.append(f"- {narrative.headline(figs, fid, subject)}")
    lines += ["", *revisions.last_report_note(figs, [(fid, name) for fid, name, _ in headline_tiles])]
    lines += ["", *committee(cover, figs)] if cover else []
    lines += [
        "",
        "## Sections",
        "",
        "```{tableofcontents}",
        "```",
        "",
        *[
            f"*{BY_SLUG[slug].title} is left out of this report: {why}.*\n"
            for slug, why in left_out(figs).items()
            if slug in BY_SLUG
        ],
        "## Data sources",
        "",
        f"Made from: {narrative.source_line(figs)}",
        "",
        "| Table | Records | Months covered |",
        "|:--|--:|:--|",
    ]
    for src in figs["sources"].values():
        a, b = parse(src["first_month"]), parse(src["last_month"])
        months = f"{a.long_label} to {b.long_label}"
        if src.get("missing_months"):
            months += f" (no file for {month_runs(src['missing_months'])})"
        lines.append(f"| {src['file']} | {records(src['rows'])} | {months} |")
    if pop := figs.get("population"):
        year = f"mid-{pop['year']} " if pop.get("year") else ""
        lines += ["", f"Residents (for rates per 1,000): ONS {year}population estimates, from {pop['file']}."]
    if open_data:
        lines += ["", narrative.open_data_note(figs), "", OGL]
    if home_office:
        lines += ["", narrative.home_office_note(figs), "", OGL_HOME_OFFICE]
        if narrative.has_policeuk(figs):
            lines += ["", narrative.two_sources_note(figs), "", OGL]
    lines += ["", *revisions.editions_list(figs)]
    lines += [
        "",
        "## Downloads",
        "",
        "- [figures.json](figures.json): every figure of this report, machine-readable "
        "(see the methods page for definitions).".replace(
            "[figures.json](figures.json)", '<a href="figures.json" download>figures.json</a>'
        ),
    ]
    if paper_name:
        lines.append(
            f'- <a href="{paper_name}" download>The committee paper (PDF)</a>: the report as it goes to '
            f"{committee_name(figs)}, with the cover, recommendation and considerations."
        )
    xlsx = folder / "downloads" / downloads.WORKBOOK
    if xlsx.exists():
        lines.append(
            f'- <a href="downloads/{downloads.WORKBOOK}" download>The whole report as one Excel workbook</a>: '
            "every figure and every table, a sheet each."
        )
    for csv in sorted((folder / "downloads").glob("*.csv")):
        lines.append(f'- <a href="downloads/{csv.name}" download>{csv.name}</a>')
    return "\n".join(lines) + "\n"


def offences() -> str:
    rows = ["| Offence | Offence group (Home Office) | Report category |", "|:--|:--|:--|"]
    rows += [f"| {o} | {g} | {c or ''} |" for o, (g, c) in contract.OFFENCES.items()]
    return "\n".join(rows) + "\n"


def worked_example(reports: list[tuple[str, str, dict]]) -> str:
    """The methods page's worked example of the test of a change, from the first published report's
    figures.json (as published: a withheld test is never picked): one change within chance and one beyond it,
    each with its counts, p-value, ratio and interval as figures.json gives them."""
    for _, _, figs in reports:
        figs = text.view(figs)  # names from the data as text, never markup
        picked, figures = {}, figs.get("figures") or {}  # a report's figures.json always has them; a sketch may not
        for fid in [*HEADLINE, *sorted(figures)]:
            f = figures.get(fid, {})
            sig = f.get("significance") or {}
            if fid.startswith("county_") or sig.get("p_value") is None or not f.get("change"):
                continue
            kind = "chance" if sig["verdict"] == "no clear change" else "beyond"
            picked.setdefault(kind, (fid, f, sig))
        if len(picked) < 2:
            continue
        lines = [f"**From the reports here.** In {figs['area']}'s report for {narrative.period_name(figs)}:"]
        for kind in ("chance", "beyond"):
            fid, f, sig = picked[kind]
            p = "below 0.001" if sig["p_value"] < 0.001 else f"{sig['p_value']:.3f}"
            lo, hi = sig["ratio_ci95"]
            between = f"{lo:.2f} to {hi:.2f}" if hi is not None else f"{lo:.2f} upwards"
            ratio = f"ratio {sig['ratio']:.2f} ({between})" if sig["ratio"] is not None else f"ratio from {between}"
            words = narrative.chance(f)
            lines.append(
                f"{label(fid).lower()}, {narrative.num(f['value'])} against {narrative.num(f['previous'])} "
                f"({narrative.num(f['value'] + f['previous'])} in all, {narrative.pct(f['pct_change'], True)}): "
                f"p {'is ' + p if p[0].isdigit() else p}, {ratio}; {words}."
            )
        return f"{lines[0]} {lines[1]} And {lines[2]}\n"
    return "*No report built yet: the worked example is made from the first report published.*\n"


def with_banner(page: str, figs: dict) -> str:
    """A page's markdown with the demonstration notice under its title (when the report is a demo)."""
    figs = text.view(figs)
    title, _, rest = page.partition("\n")
    return f"{title}\n\n{narrative.banner(figs)}{rest}" if narrative.demo(figs) else page


def _month(iso: str) -> str:
    """``April 2016`` from ``2016-04-01``."""
    return parse(iso[:7]).long_label


def reconciliation(figs: dict) -> list[str]:
    """The data quality page's two sources (the Home Office tables beside police.uk street files,
    data/combined.py): police.uk's all crime against the tables' for each quarter both cover, why they differ,
    and every area of either that could not be matched. ``figs`` is escaped already (text.view)."""
    q = figs["quality"]
    r = q.get("reconciliation")
    if r is None:
        return []
    area = figs["area"]
    districts = ", ".join(r["districts"]) or "none"
    lines = [
        "",
        "## Two sources: police.uk's all crime against the Home Office tables",
        "",
        f"{area}'s police.uk districts: {districts}"
        + (" (matched by areas.csv's csp column)." if q.get("matched", {}).get("how") == "lookup" else "."),
        "",
    ]
    if not r["quarters"]:
        lines.append("No quarter is covered by both: nothing to reconcile.")
    else:
        years = r.get("years") or []
        # the report's own quarters one by one, the others summed by financial year, in order (a figures.json
        # without ``years`` shows every quarter)
        shown = [(row["start"], f"{row['quarter']} ({row['name']})", row) for row in r["quarters"]]
        shown = [x for x in shown if x[2].get("in_report", True)]
        for y in years:
            part = "" if y["quarters"] == 4 else f", {y['quarters']} quarter{'s' if y['quarters'] > 1 else ''}"
            shown.append((y["start"], f"{y['year']}{part} ({y['name']})", y))
        summed = (
            " The report's own quarters (its period and the year before, two years at least) are shown one by "
            "one, the others summed by financial year."
            if years
            else ""
        )
        lines += [
            f"All crime in {area}, each quarter both sources cover (police.uk: the street files' crimes of the "
            "districts above, antisocial behaviour not counted; Home Office: the tables' total recorded crime, "
            "fraud not counted). The difference is police.uk's less the tables'; its share is of the tables'." + summed,
            "",
            f"| {'Quarter or financial year' if years else 'Quarter'} | police.uk | Home Office tables | Difference "
            "| Share | police.uk crimes with no location |",
            "|:--|--:|--:|--:|--:|--:|",
        ]
        for _, name, row in sorted(shown, key=lambda x: x[0]):
            share = "–" if row["share"] is None else narrative.pct(row["share"], True, trim=False)
            lines.append(
                f"| {name} | {row['policeuk']:,} | {row['homeoffice']:,} | "
                f"{narrative.signed(row['difference'])} | {share} | {row['no_location']:,} |"
            )
        lines += [
            "",
            "The crimes with no location are those of the street files' forces that police.uk could place in no "
            "district: they are in the tables' count of some area and in no district's of police.uk. Why the two "
            "counts differ:",
            "",
            *[f"- {why}" for why in r["reasons"]],
        ]
    lines += ["", "## Areas that could not be matched", ""]
    unmatched = q.get("unmatched") or []
    if not unmatched:
        lines.append(
            "None: every CSP of the forces the street files cover has its police.uk districts, and every district "
            "its CSP."
        )
    else:
        lines += [
            "Their antisocial behaviour, neighbourhoods, maps and outcomes are not given (name the CSP of each "
            "district in areas.csv's `csp` column):",
            "",
            "| Area | In | Why |",
            "|:--|:--|:--|",
        ]
        lines += [f"| {u['area']} | {u['source']} | {u['why']} |" for u in unmatched]
    return lines


def quality(figs: dict) -> str:
    """The data quality page of one report (MyST markdown), from figures.json alone."""
    figs = text.view(figs)  # every value from the data as text, never markup
    q = figs["quality"]
    area = figs["area"]
    lines = [
        f"# Data quality: {area}, {short(figs)}",
        "",
        "What the figures of this report were made from, what is missing from it and which figures that affects.",
        "",
        "## Tables read",
        "",
        f"| Table | Records | Records for {area} | Months covered | Months with no records |",
        "|:--|--:|--:|:--|:--|",
    ]
    for t in q["tables"]:
        gaps = month_runs(t["gaps"]) or "none"
        if t["area_gaps"]:
            gaps += f"; for {area} in these two years: " + ", ".join(t["area_gaps"])
        lines.append(f"| {t['table']} | {records(t['rows'])} | {records(t['area_rows'])} | {t['window']} | {gaps} |")
    if any(t.get("suppressed") for t in q["tables"]):
        lines += [
            "",
            f"{WITHHELD}: the records of a table that one victim-based figure counts whole (MARAC cases) are "
            "withheld: less the figures shown, they would give a withheld count away.",
        ]
    if q.get("excluded"):
        lines += [
            "",
            "## Rows in no area"
            if q.get("reconciliation") is not None
            else "## Rows of bodies that are not areas"
            if figs.get("data_format") == "home office"
            else "## Records in no district of the county",
            "",
            f"Counted over {figs['previous']['name']} and {figs['period']['name']} (the files read), and left "
            "out of every district and county figure:",
            "",
            "| Why | Records | Districts |",
            "|:--|--:|--:|",
        ]
        lines += [f"| {e['reason']} | {e['rows']:,} | {e['districts'] or ''} |" for e in q["excluded"]]
    lines += reconciliation(figs)
    lines += ["", "## Sources that do not cover the whole period", ""]
    partial = [fid for fid, f in figs["figures"].items() if f.get("partial")]
    if partial:
        for fid in partial:
            f = figs["figures"][fid]
            if f.get("partial_note"):
                lines.append(f"- **{label(fid)}**: {f['partial_note']}.")
                continue
            before = (
                f"{_month(f['previous_start'])} to {_month(f['previous_end'])}"
                if f.get("previous_start")
                else "no earlier months"
            )
            lines.append(
                f"- **{label(fid)}** covers {_month(f['start'])} to {_month(f['end'])} and is compared with {before}."
            )
    else:
        lines.append("None: every source covers the whole period and the year before it.")
    lines += ["", "## Missing values", "", "| Column | In | Blank | Of | Affects |", "|:--|:--|--:|--:|:--|"]
    hidden = False
    for m in q["missing"]:
        blank = "column absent" if m["blank"] is None else f"{m['blank']:,}"
        if m.get("note"):
            blank = m["note"]
        of = f"{m['of']:,}" if m["of"] else ""
        if "blank" in m.get("suppressed", []):
            blank, hidden = WITHHELD, True
        if "of" in m.get("suppressed", []):
            of, hidden = WITHHELD, True
        lines.append(f"| {m['column']} | {m['rows']} | {blank} | {of} | {m['affects']} |")
    if hidden:
        lines += ["", withheld_note(figs.get("disclosure", {}).get("threshold", 4))]
    lines += ["", "Shares (non-recent, under 16, age bands) are of the records with a value.", "", "## Warnings", ""]
    lines += [f"- {w}" for w in q["warnings"]] or ["None: every file was read as it is."]
    d = figs.get("disclosure")
    lines += ["", "## Withheld values", ""]
    if d:
        n = len(d["suppressed"])
        lines.append(
            f"Victim-based counts from 1 to {d['threshold']} are withheld on these pages "
            f"({n} figure{'s' if n != 1 else ''} affected"
            + (": " + "; ".join(label(i) for i in d["suppressed"][:40]) if n else "")
            + (f"; and {n - 40} more" if n > 40 else "")
            + ")."
        )
    else:
        lines.append("This is an internal build: no value is withheld. Do not publish it.")
    return "\n".join(lines) + "\n"


TEMPLATES = Path(__file__).parent.parent / "templates" / "commentary"


def ensure_commentary(path: Path, section: str, figs: dict) -> Path:
    """Create the commentary file from its template; never overwrite one that exists. The area's name goes into
    the analyst's Markdown escaped (text.md): the file is trusted once the analyst owns it, the name never is."""
    figs = text.view(figs)
    if not path.exists():
        template = TEMPLATES / f"{section}.md"
        if not template.exists():
            template = TEMPLATES / "default.md"
        words = template.read_text(encoding="utf-8").format(
            area=figs["area"], period=figs["period"]["label"], section=section
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(words, encoding="utf-8")
    return path


__all__ = ["report_index", "quality", "offences", "with_banner", "ensure_commentary"]
