"""What a section notebook calls: open one report's figures and show them.

A notebook reads like the report: ``r, f = report.start(section, ...)``, then one call
per sentence, table or chart, then the analyst's commentary (``r.commentary()``).
"""

from __future__ import annotations

from pathlib import Path

from IPython.display import HTML, Markdown, display

from .. import figures
from ..data import boundaries, project
from ..data.contract import INTERVENTION_TYPES, report_folder
from ..figures import disclosure, spc
from ..figures.sections import BY_SLUG, FROM_POLICEUK, GROUP_IDS, STAND_INS
from ..figures.sections import get as section
from ..figures.store import FiguresCache
from . import charts, downloads, narrative, tables, text
from .pages import ensure_commentary

TOOL_IDS = [f"asb_{t}" for t in INTERVENTION_TYPES.values()]


class Report:
    """figures.json of one area and period, and where its commentary lives. ``figs`` is figures.json with every
    string escaped for a page (text.view): what sentences and captions are written from; charts, tables and
    downloads take the values as they are from it (text.raw)."""

    def __init__(self, figs: dict, commentary_dir=None, downloads_dir=None, section: str | None = None, data_dir=None):
        self.figs = text.view(figs)
        self.data_dir = Path(data_dir) if data_dir else None  # where LSOA boundaries may be, for choropleths
        self.section = section  # the section's slug: its commentary file and what police.uk shows of it
        self.commentary_dir = Path(commentary_dir) if commentary_dir else None
        self.downloads_dir = Path(downloads_dir) if downloads_dir else None
        self._written: dict[str, tuple] = {}  # CSV name -> (caption, ids): two tables never share a file
        self._said: set[str] = set()  # notes given once on the page

    # -- showing things ---------------------------------------------------------
    def heading(self) -> None:
        """The report's area and the months it counts, in bold under the section's title."""
        if narrative.demo(self.figs):
            display(HTML(narrative.DEMO_BANNER))
        self.say(f"**{self.figs['area']}, {narrative.period_name(self.figs)}**")

    def say(self, *paragraphs: str) -> None:
        """Computed sentences, each its own paragraph (empty ones are skipped)."""
        words = "\n\n".join(p for p in paragraphs if p)
        if words:
            display(Markdown(words))

    def bullets(self, items: list[str], intro: str = "") -> None:
        if items:
            display(Markdown((intro + "\n\n" if intro else "") + "\n".join(f"- {i}" for i in items)))

    def table(self, ids: list[str], caption: str) -> None:
        """A table of figures; in a build, also a CSV beside the page, linked under the table."""
        self._show(tables.figure_frame(self.figs, ids), caption, tuple(ids))

    def _show(
        self, df, caption: str, what: tuple, download=None, download_caption: str | None = None, rows: str = "every row"
    ) -> None:
        """An HTML table and, in a build, its CSV (``download``: a fuller frame than the one shown). The captions
        are written from the escaped figures (text.view): the table escapes the characters they show."""
        caption, download_caption = text.plain(caption), download_caption and text.plain(download_caption)
        html = tables.to_html(df, caption)
        if self.downloads_dir is not None:
            name = downloads.csv_name(download_caption or caption)
            if self._written.setdefault(name, (caption, what)) != (caption, what):
                raise ValueError(
                    f"two tables of this page ({self._written[name][0]!r} and {caption!r}) would download as "
                    f"{name}: give them different captions"
                )
            path = downloads.write_csv(
                df if download is None else download, self.downloads_dir, download_caption or caption
            )
            words = "this table" if download is None else rows
            html += f'<p class="csp-download"><a href="downloads/{path.name}" download>Download {words} (CSV)</a></p>'
        display(HTML(html))

    def _top(self, full, top: int, caption: str, key: str, item: str, what: str) -> None:
        """The first ``top`` rows of a long list (neighbourhoods, map cells) in a table, and every row in its
        CSV (``Every <item>: <what>, <area>``)."""
        area = self.figs["area"]
        self._show(
            full.head(top),
            f"{caption}, {area}",
            (key,),
            download=full,
            download_caption=f"Every {item}: {what}, {area}",
            rows=f"every {item}",
        )

    def outcomes(self) -> None:
        """What happened next: the period's crimes by their last outcome (police.uk data only)."""
        rows = text.raw(self.figs)["series"].get("outcomes")  # the tables escape their cells themselves
        if not rows:
            return
        self.say("## What happened next", narrative.outcomes(self.figs))
        area = self.figs["area"]
        self._show(tables.outcome_frame(self.figs, rows), f"Crimes by last outcome, {area}", ("outcomes",))
        if by_type := text.raw(self.figs)["series"].get("outcomes_by_type"):
            caption = f"The most common last outcome of each crime type, {area}"
            self._show(tables.outcome_type_frame(self.figs, by_type), caption, ("outcomes_by_type",))

    def neighbourhoods(self, fid: str = "all_crime", top: int = 10) -> None:
        """The neighbourhoods (LSOAs) with the most crime (or ASB): a sentence, the top ``top`` with their
        change, and every neighbourhood of the district in the CSV. Data that place records in LSOAs only:
        police.uk files, or an extract with the lsoa_code column."""
        key = "neighbourhoods" if fid == "all_crime" else "neighbourhoods_asb"
        rows = text.raw(self.figs)["series"].get(key)
        if not rows:
            return
        what = "crime" if fid == "all_crime" else "antisocial behaviour"
        self.say(f"## Neighbourhoods{'' if fid == 'all_crime' else ': antisocial behaviour'}")
        self.say(narrative.neighbourhoods(self.figs, key))
        full = tables.neighbourhood_frame(self.figs, fid, rows)
        self._top(
            full, top, f"The {min(top, len(rows))} neighbourhoods with the most {what}", key, "neighbourhood", what
        )

    def hotspots(self, fid: str = "all_crime", top: int = 5) -> None:
        """Where on the map crime (or ASB) was recorded: hexagonal cells shaded by count, a sentence naming the
        busiest cells' neighbourhoods, the ``top`` busiest in a table (every cell in the CSV); and, where the
        data folder holds LSOA boundaries, the neighbourhoods shaded too. Data with map points only (police.uk)."""
        key, lsoa_key = ("hotspots", "neighbourhoods") if fid == "all_crime" else ("hotspots_asb", "neighbourhoods_asb")
        rows = text.raw(self.figs)["series"].get(key)
        if not rows:
            return
        what, unit = narrative.what_counted(fid != "all_crime")
        unit += "s"
        self.say(
            f"## Hotspot map{'' if fid == 'all_crime' else ': antisocial behaviour'}",
            narrative.hotspots(self.figs, key),
        )
        self.chart(charts.hotspot_map(self.figs, key))
        full = tables.hotspot_frame(self.figs, rows, unit)
        self._top(full, top, f"The {min(top, len(rows))} busiest map cells for {what}", key, "map cell", what)
        path = boundaries.find(self.data_dir) if self.data_dir and self.data_dir.is_dir() else None
        if path is not None:
            lsoas = text.raw(self.figs)["series"].get(lsoa_key) or []
            self.chart(charts.choropleth(self.figs, boundaries.read(path, [r["lsoa_code"] for r in lsoas]), lsoa_key))

    def open_data(self, section_slug: str) -> None:
        """In a report made from police.uk open data (or the Home Office tables): what the source shows for this
        section."""
        if self.figs.get("data_format") == "home office" and section_slug in BY_SLUG:
            return self.home_office(section_slug)
        if self.figs.get("data_format") != "police.uk" or section_slug not in BY_SLUG:
            return  # a section added with csp new-section says itself what it shows
        sec = section(section_slug)
        ids = [i for i in sec.open_data if i in self.figs["figures"]]
        self.say(
            "*Made from data.police.uk street files. Figures that need a field police.uk does not publish "
            'say "not available from police.uk open data"; the front page of this report lists them.*'
        )
        if ids:
            if ids[0] not in sec.table:  # the section's own sentences already give its headline
                self.say(narrative.headline(self.figs, ids[0]))
            self.table(ids, f"What police.uk open data shows: {sec.title}, {self.figs['area']}")

    def home_office(self, section_slug: str) -> None:
        """In a report made from the Home Office tables: where the figures come from, and the Home Office's own
        split of the section's offences, named as the Home Office names it (never as the seed's figures)."""
        sec = section(section_slug)
        if section_slug in FROM_POLICEUK and narrative.has_policeuk(self.figs):
            return self.say(
                "*Made from the data.police.uk street files beside the Home Office tables: antisocial behaviour "
                "incidents are not crimes, and the tables do not count them. The files' months are counted by "
                "quarter, as the tables are: the charts below are of quarters, and the rolling four quarters stand "
                "in for the rolling 12 months. Tools and powers come from partners, not police.uk.*"
            )
        self.say(
            "*Made from the Home Office police recorded crime open data tables: counts by quarter and Home Office "
            'offence group and subgroup. Figures the tables do not give say "not in the Home Office open data '
            'tables"; the force\'s own classifications say "no Home Office equivalent". The tables count quarters: '
            "the charts below are of quarters, and the rolling four quarters stand in for the rolling 12 months.*"
        )
        if section_slug == "violence":
            self.say(
                "The serious, less serious and non-injury assault split below is the force's own classification and "
                "has no Home Office equivalent. In its place, the Home Office's own split of violence against the "
                "person: homicide, death or serious injury caused by unlawful driving, violence with injury, "
                "violence without injury, and stalking and harassment."
            )
        elif section_slug == "sexual-offences":
            self.say(
                "The sexual assault figure below is the force's own classification and has no Home Office "
                "equivalent. In its place, the Home Office's own split of sexual offences: rape and other sexual "
                "offences."
            )
        ids = [i for i in sec.home_office if i in self.figs["figures"]]
        if ids:
            self.table(
                ids, f"What the Home Office tables show (the Home Office's split): {sec.title}, {self.figs['area']}"
            )

    def measure(self, fid: str) -> str:
        """The figure this report can draw for ``fid``: itself, or where the data has only a combined category
        (police.uk's violence and sexual offences, sections.STAND_INS), that category, said once on the page."""
        stand_in = STAND_INS.get(fid)
        if self.figs["figures"].get(fid, {}).get("value") is not None or stand_in not in self.figs["series"]["trend"]:
            return fid
        if stand_in not in self._said:
            self._said.add(stand_in)
            self.say(
                f"*{narrative.label(fid)} is not published on its own in this data: the charts and comparisons "
                f"below are of police.uk's combined category, {narrative.label(stand_in).lower()}.*"
            )
        return stand_in

    def chart(self, html: str | None, missing: str = "No chart: too few periods in the data.") -> None:
        """A chart, or the note in its place. In a build, the page's HTML (the site's scripts draw its spec); a
        notebook run alone shows the spec itself, which JupyterLab draws, with the chart drawn as SVG beside it,
        which nbconvert's HTML shows (it has no Vega-Lite renderer), then the caption."""
        if not html:
            display(Markdown(f"*{missing}*"))
        elif self.downloads_dir is not None or (spec := charts.spec_of(html)) is None:
            display(HTML(html))
        else:
            bundle = {"application/vnd.vegalite.v5+json": spec, "text/plain": spec["description"]}
            if (drawn := charts.svg(spec)) is not None:
                bundle["image/svg+xml"] = drawn
            display(bundle, raw=True)
            display(Markdown(f"*{spec['usermeta']['caption']}*"))

    # -- the analyst's words ------------------------------------------------------
    def commentary_path(self, section: str) -> Path | None:
        if self.commentary_dir is None:
            return None
        figs = text.raw(self.figs)
        return self.commentary_dir / report_folder(figs["area"], figs["period"]["label"]) / f"{section}.md"

    def commentary(self, section: str | None = None, heading: str | None = "Analyst's commentary") -> None:
        """Show the analyst's markdown for this section (made from a template if absent)."""
        section = section or self.section
        path = ensure_commentary(self.commentary_path(section), section, self.figs) if self.commentary_dir else None
        if path is None:
            return
        words = path.read_text(encoding="utf-8").strip()  # the analyst's Markdown: trusted
        display(Markdown((f"### {heading}\n\n" if heading else "") + words))


def open(data_dir, area: str, period: str, figures_file=None, commentary_dir=None, internal: bool = False) -> Report:
    """The report's figures: read from ``figures_file`` when the build made one, otherwise computed from
    the data folder (an analyst running the notebook alone) and passed through the same disclosure
    control as the site (``csp.toml``'s threshold), so the notebook shows what the site shows.
    ``internal=True`` shows every count, as ``csp build --no-suppression`` does: never publish it."""
    if figures_file and Path(figures_file).exists():
        downloads_dir = Path(figures_file).parent / "downloads"
        return Report(figures.read(figures_file), commentary_dir, downloads_dir, data_dir=data_dir)
    root = project.find_root() or project.find_root(Path(project.__file__).resolve().parents[2])
    settings = spc.settings_from(root)  # csp.toml's [spc], as the build reads it
    if internal:
        return Report(
            figures.compute_from_folder(data_dir, area, period, settings=settings), commentary_dir, data_dir=data_dir
        )
    # the build's figures cache (csp build's default --out): a notebook run again, or after make book, is quick
    store = FiguresCache(root / "_build" / "cache", optional=True) if root else None
    figs = figures.published(data_dir, area, period, disclosure.threshold_from(root), store=store, settings=settings)
    return Report(figs, commentary_dir, data_dir=data_dir)


def start(
    section: str, data_dir, area: str, period: str, figures_file=None, commentary_dir=None, internal: bool = False
) -> tuple[Report, dict]:
    """A section notebook's setup in one call: open the report (as :func:`open`), show its heading
    (area, months counted, the demonstration notice) and, for police.uk data, what the open data
    shows of this section. Returns the report and its figures.

    ``data_dir`` and ``commentary_dir`` left as ``None`` (the notebooks' defaults) are the project's
    ``data/demo`` and ``commentary/`` wherever the notebook runs (data.project); a path given is the
    working folder's. A commentary folder that does not exist stops here, named."""
    data_dir, commentary_dir = project.resolve(data_dir, commentary_dir)
    r = open(data_dir, area, period, figures_file, commentary_dir, internal)
    r.section = section
    r.heading()
    r.open_data(section)
    return r, r.figs


__all__ = ["Report", "open", "start", "section", "GROUP_IDS", "TOOL_IDS"]
