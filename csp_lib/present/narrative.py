"""Plain-English sentences, written the way the published report writes them.

Every function reads a figures.json dict and nothing else, so a number in a
sentence is always the number in the table and in the download.
"""

from __future__ import annotations

from fractions import Fraction

from ..data.contract import HATE_STRANDS, INTERVENTION_NAMES, INTERVENTION_TYPES
from ..data.periods import parse
from ..figures.disclosure import secondary, withheld
from ..figures.measures import share
from ..figures.sections import POLICE_UK_IDS, PROGRAMME_SECTIONS, county_name, force_area_report, label, noun
from ..figures.sections import subject as subject_of

ORDINAL = {1: "st", 2: "nd", 3: "rd"}
WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


# -- formatting ------------------------------------------------------------------
def num(n) -> str:
    return "n/a" if n is None else f"{n:,}"


def signed(n) -> str:
    return "n/a" if n is None else "0" if n == 0 else f"{n:+,}"


def pct(x, signed_: bool = False, trim: bool = True) -> str:
    """``12.4%``; in sentences a whole number loses its ``.0`` (``27%``), in tables not."""
    if x is None:
        return "n/a"
    s = f"{x:+.1f}" if signed_ else f"{abs(x):.1f}"
    return (s[:-2] if trim and s.endswith(".0") else s) + "%"


def a(text: str) -> str:
    """``a 14.6% increase`` but ``an 18.6% increase`` (said "eighteen", "eleven", "eight")."""
    lead = text.lstrip("+-").split(".")[0].rstrip("%").replace(",", "")
    spoken_eleven_or_eighteen = len(lead) % 3 == 2 and lead[:2] in ("11", "18")
    return "an" if lead.startswith("8") or spoken_eleven_or_eighteen else "a"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else ORDINAL.get(n % 10, "th")
    return f"{n}{suffix}"


def words(n: int) -> str:
    return WORDS[n] if 0 <= n < len(WORDS) else str(n)


def counted(n: int, noun: str) -> str:
    """``1 notice``, ``27 notices`` (the noun's plural takes an s)."""
    return f"{num(n)} {noun if n == 1 else noun + 's'}"


def _one(n: int, plural: str) -> str:
    """``offences``, but ``offence`` for 1 (and for a change of +1 or -1)."""
    return plural[:-1] if abs(n) == 1 and plural.endswith("s") else plural


def were(n: int) -> str:
    return "was" if n == 1 else "were"


def fewer(figs: dict) -> str:
    """How a withheld small count reads: ``fewer than 5``."""
    return f"fewer than {figs.get('disclosure', {}).get('threshold', 4) + 1}"


def hidden(figs: dict, f: dict, key: str = "value") -> str:
    """How a withheld count reads: ``fewer than 5``, or ``withheld`` when it is not small itself."""
    return "withheld" if secondary(f, key) else fewer(figs)


def count(figs: dict, f: dict, key: str = "value") -> str:
    """A count as text, or ``fewer than 5`` where disclosure control withheld it."""
    return hidden(figs, f, key) if withheld(f, key) else num(f.get(key))


def _f(figs: dict, fid: str) -> dict:
    return figs["figures"].get(fid) or {
        "value": None,
        "previous": None,
        "change": None,
        "pct_change": None,
        "note": f"no figure {fid}",
    }


def period_name(figs: dict) -> str:
    """``April 2016 to March 2017``; where the data lack months, the months counted: ``April to October 2022
    (7 of the 12 months of 2022/23)``."""
    p = figs["period"]
    if p.get("counted"):
        return f"{p['counted']} ({p['months_counted']} of the {p['months']} months of {p.get('short') or p['label']})"
    return p["name"]


def previous_name(figs: dict) -> str:
    """The comparison's months: ``April 2015 to March 2016``, or those counted (``April to October 2021``)."""
    return figs["previous"].get("counted") or figs["previous"]["name"]


def capital(words: str) -> str:
    """``words`` with its first letter a capital and the rest as written (``str.capitalize`` lowers them)."""
    return words[:1].upper() + words[1:]


def short(figs: dict, which: str = "period") -> str:
    """``2016/17``, ``Q3 2016/17``, ``Nov 2021\u2013Oct 2022``: the period as headers and sentences show it
    (the months counted, ``Apr 2022\u2013Oct 2022``, where the data lack some)."""
    return figs[which].get("counted_short") or figs[which].get("short") or figs[which]["label"]


def compared(figs: dict) -> bool:
    """False when the report's period cannot be compared with a year earlier (months missing)."""
    return figs["previous"].get("compared", True)


def compared_phrase(figs: dict) -> str:
    """``compared with April 2015 to March 2016 and with Lancashire``, or why no year earlier is compared."""
    if not compared(figs):
        return f"compared with {county_name(figs)}; not with a year earlier, whose months are missing from the data"
    return f"compared with {previous_name(figs)} and with {county_name(figs)}"


def compared_with(figs: dict) -> str:
    """``the previous year`` for a whole financial year, otherwise the months a year earlier."""
    if parse(figs["period"]["label"]).kind == "fy" and not figs["period"].get("counted"):
        return "the previous year"
    one = figs["period"].get("months_counted", len(parse(figs["period"]["label"]).months)) == 1
    return f"the same {'month' if one else 'months'} a year earlier ({previous_name(figs)})"


def direction(f: dict, up="up", down="down", same="unchanged") -> str:
    c = f.get("change")
    return same if not c else (up if c > 0 else down)


SMALL = 1000  # counts (value and previous together) below which a change within chance is "for counts this small"


def chance(f: dict) -> str:
    """Whether a change is beyond chance (the figure's ``significance``, the exact test for two Poisson counts),
    in the words that follow a sentence's: ``more than chance would explain`` for an increase or a reduction,
    ``within the range chance gives for counts this small`` (``... from year to year`` for larger ones) for no
    clear change; nothing where there is no change, no test, or the test is withheld with its counts."""
    sig = f.get("significance")
    if not sig or not sig.get("verdict") or not f.get("change"):
        return ""
    if sig["verdict"] != "no clear change":
        return "more than chance would explain"
    counts_small = (f.get("value") or 0) + (f.get("previous") or 0) < SMALL
    return f"within the range chance gives {'for counts this small' if counts_small else 'from year to year'}"


def _then(clause: str) -> str:
    """``, more than chance would explain``: a clause after a sentence's words, or nothing."""
    return f", {clause}" if clause else ""


def unavailable(f: dict) -> str | None:
    """Why a figure has no value, or None when it has one."""
    if f.get("value") is None:
        return f.get("note", "not available")
    return None


# -- sentence builders ---------------------------------------------------------------
# figures whose subject takes "are": "Sexual offences ... are up", "Drugs ... are down"
PLURAL = {"sexual_offences", "asb_incidents", "violence_and_sexual_offences", "theft_offences", "public_order", "drugs"}


def headline(figs: dict, fid: str, subject: str | None = None, plural: bool | None = None, unit: str = "") -> str:
    """``All crime in Blackpool for the period April 2016 to March 2017 is up by 12.4% (n=+2059)
    compared to the previous year.`` (``are up`` for the figures in PLURAL, unless ``plural`` says.)"""
    f = _f(figs, fid)
    plural = fid in PLURAL if plural is None else plural
    subject = subject or subject_of(fid)
    where = f"{subject} in {figs['area']} for the period {period_name(figs)}"
    if withheld(f) and secondary(f):
        return f"{where}: withheld, so that a small count elsewhere cannot be worked out from it."
    if withheld(f):
        return (
            f"{where}: {fewer(figs)}{' ' + unit if unit else ''}; the exact count is withheld "
            "to protect the people involved."
        )
    if why := unavailable(f):
        return f"{where}: {why}." if why.startswith("not available") else f"{where}: not available ({why})."
    if withheld(f, "previous"):
        before = (
            "the count a year earlier is withheld so that a small count elsewhere cannot be worked out"
            if secondary(f, "previous")
            else f"a year earlier there were {fewer(figs)}"
        )
        return f"{where}: {num(f['value'])}{' ' + unit if unit else ''}; {before}, so the change is withheld."
    if f["previous"] is None:
        why = f.get("partial_note") or "there is no earlier year to compare with"
        return f"{where}: {num(f['value'])}{' ' + unit if unit else ''}; {why}."
    verb = "are" if plural else "is"
    if f["change"] == 0:
        return f"{where} {verb} unchanged at {num(f['value'])} compared to {compared_with(figs)}."
    if f["pct_change"] is None:
        return f"{where} {verb} {num(f['value'])}, up from none compared to {compared_with(figs)}{_then(chance(f))}."
    n = f"n={f['change']:+d}" + (f" {_one(f['change'], unit)}" if unit else "")
    return (
        f"{where} {verb} {direction(f)} by {pct(f['pct_change'])} ({n}) compared to {compared_with(figs)}"
        f"{_then(chance(f))}."
    )


def item(figs: dict, fid: str, unit: str = "offences") -> str:
    """``Serious Assaults: increase of 10.1% (+15 offences)``."""
    f = _f(figs, fid)
    if withheld(f) and secondary(f):
        return f"{label(fid)}: withheld (so that a small count cannot be worked out)"
    if withheld(f):
        return f"{label(fid)}: {fewer(figs)} {unit} (exact count withheld)"
    if why := unavailable(f):
        return f"{label(fid)}: not available ({why})"
    if withheld(f, "previous"):
        before = "withheld a year earlier" if secondary(f, "previous") else f"{fewer(figs)} a year earlier"
        return f"{label(fid)}: {num(f['value'])} {_one(f['value'], unit)} ({before}; change withheld)"
    if f["previous"] is None:
        return f"{label(fid)}: {num(f['value'])} {_one(f['value'], unit)}"
    if not f["change"]:
        return f"{label(fid)}: no change ({num(f['value'])} {_one(f['value'], unit)})"
    if f["pct_change"] is None:
        return f"{label(fid)}: {num(f['value'])} {_one(f['value'], unit)} (none a year earlier){_then(chance(f))}"
    word = "increase" if f["change"] > 0 else "reduction"
    change = f"{signed(f['change'])} {_one(f['change'], unit)}"
    return f"{label(fid)}: {word} of {pct(f['pct_change'])} ({change}){_then(chance(f))}"


def county(figs: dict, fid: str, subject: str | None = None) -> str:
    """``All crime in Lancashire has increased by 10.8% (+10,438).``"""
    subject = subject or subject_of(fid)
    f = _f(figs, f"county_{fid}")
    if unavailable(f) or f["pct_change"] is None:
        return f"{subject} in {county_name(figs)}: no comparison is available."
    verb = direction(f, "has increased", "has reduced", "is unchanged")
    if not f["change"]:
        return f"{subject} in {county_name(figs)} is unchanged."
    return (
        f"{subject} in {county_name(figs)} {verb} by {pct(f['pct_change'])} ({signed(f['change'])}){_then(chance(f))}."
    )


def districts_word(figs: dict) -> str:
    """What a county's areas are called: districts; in a report from the Home Office tables, the force's
    partnerships or England and Wales's force areas."""
    if figs.get("data_format") != "home office":
        return "districts"
    return "force areas" if force_area_report(figs) else "partnerships"


def county_word(figs: dict) -> str:
    """``the county``; from the Home Office tables, ``the force area`` (a CSP's), or a force area's region
    (``the North West region``) or ``England and Wales``."""
    if figs.get("data_format") != "home office":
        return "the county"
    return county_name(figs) if force_area_report(figs) else "the force area"


def rank(figs: dict, fid: str, subject: str | None = None) -> str:
    """Area against county and its place among the county's districts."""
    subject = subject or subject_of(fid)
    f, c, r = _f(figs, fid), _f(figs, f"county_{fid}"), figs["figures"].get(f"{fid}_rank_in_county", {})
    rising = figs["figures"].get(f"{fid}_districts_rising", {})
    if unavailable(f) or f["pct_change"] is None or not r.get("value"):
        return f"{subject}: no comparison with the rest of {county_name(figs)} is available."
    s = f"In {short(figs)}, there has been {moved(f)} in {figs['area']}"
    if c.get("pct_change") is not None:
        s += f", with {moved(c)} across {county_word(figs)}"
    s += _verdicts(figs["area"], chance(f), chance(c) if c.get("pct_change") is not None else "", county_word(figs))
    s += ". "
    areas = districts_word(figs)
    of = r["of"]
    up = rising.get("value") if rising.get("of") == of else None  # how many districts rose, when counted
    beyond = _rising_beyond(figs, fid, up)
    if up == of:
        s += f"All {areas} are showing increases{beyond}. "
    elif up == 0:
        s += f"No {areas[:-1]} is showing an increase. "
    elif up == 1:
        s += f"One of the {of} {areas} is showing an increase{beyond}. "
    elif up is not None:
        s += f"{words(up).capitalize()} of the {of} {areas} are showing increases{beyond}. "
    return s + place(figs["area"], f["change"], {**r, "higher": _higher(figs, fid)}, up, areas) + family(figs, fid)


def _rising_beyond(figs: dict, fid: str, up: int | None) -> str:
    """How many of the districts that rose rose beyond chance (their rows' ``significance``), in the words
    that follow "showing increases": ``, 9 of them more than chance would explain``, ``, each more than
    chance would explain``, ``, none of them more than chance would explain``; nothing when the districts'
    rows are not there or not all of the rising ones carry a verdict (a test withheld with its counts)."""
    rows = [r for r in figs.get("series", {}).get("districts", {}).get(fid) or [] if (r.get("change") or 0) > 0]
    if not up or len(rows) != up:
        return ""
    verdicts = [(r.get("significance") or {}).get("verdict") for r in rows]
    if None in verdicts:
        return ""
    beyond = sum(v == "increase" for v in verdicts)
    if up == 1:
        return _then(chance(rows[0]))
    if beyond == up:
        return ", each more than chance would explain"
    return f", {num(beyond) if beyond else 'none'} of them more than chance would explain"


def _verdicts(area: str, mine: str, county: str, whole: str = "the county") -> str:
    """The verdicts that follow the rank sentence's first words (the area's change, the county's):
    ``; both more than chance would explain``, ``, more than chance would explain`` (the area's alone)..."""
    if mine and county:
        return f"; both {mine}" if mine == county else f"; in {area} {mine}, across {whole} {county}"
    if county:
        return f"; across {whole} {county}"
    return _then(mine)


def family(figs: dict, fid: str) -> str:
    """`` Among its most similar group (Urban, 6 districts), Blackpool had the 2nd lowest % change.``"""
    r = figs["figures"].get(f"{fid}_rank_in_family", {})
    fam = figs.get("family")
    if not fam or not r.get("value") or r.get("of", 0) < 2:
        return ""
    where = (
        "the lowest"
        if r["value"] == 1
        else "the highest"
        if r["value"] == r["of"]
        else (f"the {ordinal(r['value'])} lowest")
    )
    return f" Among its most similar group ({fam['name']}, {r['of']} districts), {figs['area']} had {where} % change."


def _higher(figs: dict, fid: str) -> int | None:
    """How many districts had a higher % change than the area (exact ratios, from the district series);
    None when a district's count is withheld or not there (then ``of - rank`` is used)."""
    rows = figs.get("series", {}).get("districts", {}).get(fid) or []
    ratios = {
        r["district"]: Fraction(r["change"], r["previous"])
        for r in rows
        if r.get("previous") and r.get("change") is not None
    }
    mine = ratios.get(figs["area"])
    if mine is None or len(ratios) != figs["figures"].get(f"{fid}_rank_in_county", {}).get("of"):
        return None
    return sum(x > mine for x in ratios.values())


def moved(f: dict) -> str:
    """``a 14.6% increase``, ``an 18.6% reduction``, ``no change``, ``an increase of less than 0.1%``."""
    if not f["change"]:
        return "no change"
    word = "increase" if f["change"] > 0 else "reduction"
    if not f["pct_change"]:
        return f"{'an' if word == 'increase' else 'a'} {word} of less than 0.1%"
    p = pct(f["pct_change"])
    return f"{a(p)} {p} {word}"


def place(area: str, change: int, rank: dict, up: int | None = None, districts: str = "districts") -> str:
    """Where ``area`` stands among the county's districts ranked by % change, lowest first (``rank``: its
    ``value``, ``of`` and ``higher``, the districts with a higher change), said so that a fall reads as a
    reduction and a rise as an increase. ``up``: how many districts rose, when known."""
    n, of = rank["value"], rank["of"]
    top = (of - n if rank.get("higher") is None else rank["higher"]) + 1  # 1 + the districts above, which rose further
    if change < 0:  # the n - 1 districts below fell further
        which = "the largest" if n == 1 else f"the {ordinal(n)} largest"
        return f"{area} had {which} proportional reduction of the {of} {districts}."
    if change == 0:
        return f"{area} was unchanged; {top - 1} of the {of} {districts} had a higher proportional change."
    if top == 1:
        return f"{area} had the highest proportional increase of the {of} {districts}."
    if up == of and n <= top:
        which = "the lowest" if n == 1 else f"the {ordinal(n)} lowest"
        return f"{area} had {which} proportional increase of the {of} {districts}."
    return f"{area} had the {ordinal(top)} highest proportional increase of the {of} {districts}."


def rising(figs: dict, fid: str, subject: str | None = None) -> str:
    subject = subject or subject_of(fid)
    r = figs["figures"].get(f"{fid}_districts_rising")
    if not r or not r.get("of"):
        return ""
    beyond = _rising_beyond(figs, fid, r["value"])
    if r["of"] == 1:
        verb = "rose" if r["value"] else "did not rise"
        return f"{subject} {verb} in the one {districts_word(figs)[:-1]} of {county_name(figs)}{beyond}."
    if r["value"] == r["of"]:
        return f"{subject} rose in all {r['of']} {districts_word(figs)} of {county_name(figs)}{beyond}."
    some = r["value"] or "none"  # "rose in none of the 14 districts"
    return f"{subject} rose in {some} of the {r['of']} {districts_word(figs)} of {county_name(figs)}{beyond}."


def drivers(figs: dict, ids: list[str], top: int = 2) -> str:
    """The offence groups that moved most, as the seed's 6.0.2 names them. A report made from police.uk
    open data compares its own crime types (which add up to all crime) instead of the Home Office groups."""
    if figs.get("data_format") == "police.uk":
        ids = POLICE_UK_IDS
    moves = [(i, _f(figs, i)) for i in ids if _f(figs, i).get("change") is not None]
    total = _f(figs, "all_crime")
    if not moves or not total.get("change"):
        return ""
    sign = 1 if total["change"] > 0 else -1
    moves = sorted((m for m in moves if m[1]["change"] * sign > 0), key=lambda m: -abs(m[1]["change"]))[:top]
    if not moves:
        return ""
    parts = [f"{label(i)}, {direction(f)} by {pct(f['pct_change'])} (n={f['change']:+d})" for i, f in moves]
    what = "increase" if sign > 0 else "reduction"
    verdicts = [chance(f) for _, f in moves]
    if len(moves) > 1 and all(verdicts) and len(set(verdicts)) == 1:
        after = f"; {'both' if len(moves) == 2 else 'each'} {verdicts[0]}"
    elif len(moves) == 1:
        after = _then(verdicts[0])
    else:  # each category's own verdict, after the seed's words
        said = [f"for {label(i)} {v}" for (i, _), v in zip(moves, verdicts, strict=True) if v]
        after = "; " + ", ".join(said) if said else ""
    return f"The crime categories contributing most to this {what} are " + " and ".join(parts) + after + "."


def share_sentence(figs: dict, whole_id: str, noun: str, parts: list[tuple[str, str]]) -> str:
    """``During ... there were 690 sexual offences recorded in Blackpool. Of these, 31.2% (n=215)
    were classed as 'non recent' ... and 52.3% (n=361) were against children under 16.``"""
    w = _f(figs, whole_id)
    if withheld(w) and secondary(w):
        return (
            f"During {period_name(figs)} the number of {noun} recorded in {figs['area']} is withheld, "
            "so that a small count elsewhere cannot be worked out from it."
        )
    if withheld(w):
        return f"During {period_name(figs)} there were {fewer(figs)} {noun} recorded in {figs['area']}."
    if unavailable(w):
        return ""
    said, missing = [], []
    for fid, what in parts:
        f = _f(figs, fid)
        if withheld(f):
            said.append(f"{'a withheld number' if secondary(f) else fewer(figs)} {what}")
        elif unavailable(f) or f.get("share") is None:
            missing.append(f"the share that {what} is not available ({unavailable(f) or 'no records'})")
        else:
            said.append(f"{pct(f['share'])} (n={num(f['value'])}) {what}")
    s = f"During {period_name(figs)} there were {num(w['value'])} {noun} recorded in {figs['area']}."
    if said:
        s += " Of these, " + ", and ".join(said) + "."
    if missing:
        s += " " + "; ".join(missing).capitalize() + "."
    return s


def committed(figs: dict) -> str:
    f = _f(figs, "rape_committed_in_period")
    if withheld(f) or withheld(f, "previous"):
        return (
            f"Rape offences which took place during {short(figs)}: "
            f"{count(figs, f)}, compared to {count(figs, f, 'previous')} in {short(figs, 'previous')}."
        )
    if unavailable(f) or f["previous"] is None:
        return "Rapes by the date they took place are not available (no committed dates)."
    pc = f["pct_change"]
    how = (
        "the same as"
        if not f["change"]
        else "similar to"
        if pc is not None and abs(pc) < 5
        else "higher than"
        if f["change"] > 0
        else "lower than"
    )
    return (
        f"The number of rape offences which took place during {short(figs)} was {how} "
        f"{short(figs, 'previous')} ({num(f['value'])} compared to {num(f['previous'])}). "
        "The overall rape figures include every offence recorded in the period, so offences "
        "that took place earlier are added to these."
    )


def ages(figs: dict) -> str:
    v = _f(figs, "vap_victim_age_15_24")
    o = _f(figs, "vap_offender_age_15_24")
    o2 = _f(figs, "vap_offender_age_25_29")
    if any(unavailable(x) for x in (v, o, o2)):
        return "The age profile of violence victims and offenders is not available (no ages in the data)."
    out = []
    for key, name in (("previous_share", short(figs, "previous")), ("share", short(figs))):
        if v.get(key) is None:
            continue
        out.append(
            f"In {name}, of all violent crime with a recorded age, people aged 15 to 24 "
            f"accounted for {pct(v[key])} of victims and {pct(o[key])} of offenders, and "
            f"{pct(o2[key])} was perpetrated by people aged 25 to 29."
        )
    return " ".join(out)


def peaks(figs: dict) -> str:
    f = _f(figs, "domestic_abuse")
    q, m = figs["figures"].get("domestic_abuse_peak_quarter"), figs["figures"].get("domestic_abuse_peak_month")
    if not withheld(f) and (unavailable(f) or not q or (q.get("value") is None and not withheld(q))):
        return "Domestic abuse figures are not available (no domestic abuse marker in the data)."
    s = ""
    if f["pct_change"] is not None:
        word = "increase" if f["change"] > 0 else "reduction"
        when = "an annual" if compared_with(figs) == "the previous year" else "a year-on-year"
        s = (
            f"Domestic abuse (which encompasses all crimes with a 'domestic abuse' marker) has seen "
            f"{when} {word} of {pct(f['pct_change'])} ({signed(f['change'])} offences){_then(chance(f))}"
        )
    else:
        s = f"There were {count(figs, f)} domestic abuse crimes"
    if q["in_period"]:
        s += (
            f", with {q['label']} having had the highest number of offences of any quarter during the "
            f"last four years (n={count(figs, q)})."
        )
    else:
        s += f". The highest quarter of the last four years was {q['label']} (n={count(figs, q)}), before this period."
    if m["in_period"]:
        s += (
            f" Of note, {m['label']} (n={count(figs, m)}) had the highest monthly total recorded "
            "during this same period."
        )
    else:
        s += f" The highest month of the last four years was {m['label']} (n={count(figs, m)})."
    return s


def marac(figs: dict) -> str:
    f = _f(figs, "marac_cases")
    if not withheld(f) and (why := unavailable(f)):
        return f"MARAC figures are not available ({why})."
    ch, rep = _f(figs, "marac_children"), _f(figs, "marac_repeat_cases")
    if f.get("partial"):
        from datetime import date

        start, end = date.fromisoformat(f["start"]), date.fromisoformat(f["end"])
        s = (
            f"The MARAC data runs to {end:%B %Y}, so {start:%B} to {end:%B %Y} is compared like for like "
            f"with the same months a year earlier. "
        )
    else:
        s = ""

    def n(x):
        return count(figs, x) + (f" ({signed(x['change'])})" if x.get("change") is not None else "")

    s += f"{n(f)} cases were listed, with {n(ch)} children and {n(rep)} repeat cases."
    return s


def comparison(figs: dict, fid: str) -> str:
    """``Each quarterly total showed a reduction ... Peak reductions occurred in July and October.``"""
    q = figs["figures"].get(f"{fid}_quarters_lower")
    m = figs["figures"].get(f"{fid}_months_lower")
    out = []
    if q and q["of"] == 1 and m and m["of"] == 1:
        q = None  # a one-month report: its month says it
    if q and q["of"] == 1:
        out.append(f"The quarter was {_than(q)} the same quarter a year earlier.")
    elif q and q["of"]:
        if q["value"] == q["of"]:
            out.append("Each quarterly total showed a reduction compared to the same quarter a year earlier.")
        elif q["value"] == 0:
            out.append("No quarterly total was lower than the same quarter a year earlier.")
        else:
            out.append(
                f"{words(q['value']).capitalize()} of the {words(q['of'])} quarters showed a reduction "
                "compared to the same quarter a year earlier."
            )
    if m and m["of"] == 1:
        out.append(f"The month was {_than(m)} the same month a year earlier.")
    elif m and m["of"]:
        if m["value"] == m["of"]:
            out.append(f"All {words(m['of'])} months showed comparative reductions.")
        elif m["value"] == 0:
            out.append(f"No month of the {words(m['of'])} showed a comparative reduction.")
        else:
            verb = "showed comparative reductions" if m["value"] > 1 else "showed a comparative reduction"
            out.append(f"{words(m['value']).capitalize()} of the {words(m['of'])} months {verb}.")
        falls = [x["label"].split(" ")[0] for x in m["largest_falls"][:2]]
        if len(falls) == 2:
            out.append(f"Peak reductions occurred in the months of {falls[0]} and {falls[1]}.")
        elif falls:
            out.append(f"The only reduction occurred in {falls[0]}.")
    return " ".join(out)


def _than(cmp: dict) -> str:
    """``lower than``, ``higher than`` or ``the same as``: one period of a comparison (``*_lower``)."""
    return "lower than" if cmp["value"] else "higher than" if cmp.get("higher") else "the same as"


def funnel(figs: dict, ctx: str) -> str:
    """Escalation as the report frames it: how often the warning alone stopped the behaviour, how
    many cases went on to a notice, and how many of all warned cases reached a breach or prosecution
    (with the share of the notices beside it)."""
    steps = figs["series"]["funnels"].get(ctx)
    if not steps or not steps[0]["value"]:
        return ""
    w, n, b = steps
    s = f"{counted(w['value'], 'Community Protection Warning')} {were(w['value'])} served"
    if withheld(n) or withheld(b):
        return (
            f"{s}; {count(figs, n)} went on to a Community Protection Notice and {count(figs, b)} to a breach or "
            "prosecution (small numbers are withheld to protect the people involved)."
        )
    if not n["value"]:
        them = "the warning" if w["value"] == 1 else "the warnings"
        return f"{s}; no Community Protection Notice followed, so {them} stopped the behaviour in every case."
    if n["value"] == w["value"]:
        s += ". Every case went on to a Community Protection Notice"
    else:
        s += (
            f". The warning alone stopped the behaviour in {pct(100 - n['share_of_previous'])} of cases: "
            f"{counted(n['value'], 'case')} ({pct(n['share_of_previous'])} of the warnings) went on to a "
            "Community Protection Notice"
        )
    if not b["value"]:
        return s + ", and none reached a breach or prosecution."
    return (
        f"{s}, and {num(b['value'])} ({pct(b.get('share_of_first'))} of all warned cases; "
        f"{pct(b['share_of_previous'])} of the notices) reached a breach or prosecution."
    )


def tools(figs: dict) -> list[str]:
    out = []
    for typ, tid in INTERVENTION_TYPES.items():
        f = _f(figs, f"asb_{tid}")
        if f.get("value"):
            out.append(f"{num(f['value'])} x {INTERVENTION_NAMES[typ]}")
    return out


def cse(figs: dict) -> str:
    w, n = _f(figs, "cse_cpw"), _f(figs, "cse_cpn")
    if withheld(w) or withheld(n):
        return (
            f"{_between(figs)} there were {count(figs, w)} Community Protection Warnings served "
            f"in relation to child sexual exploitation risks, and {count(figs, n)} Community Protection "
            "Notices; small numbers are withheld to protect the people involved."
        )
    if why := unavailable(w):
        return f"CSE tools and powers are not available ({why})."
    if not w["value"]:
        return (
            "No Community Protection Warnings were served in relation to child sexual exploitation "
            f"in {period_name(figs)}."
        )
    steps = figs["series"]["funnels"].get("cse", [])
    part = next((s["share_of_previous"] for s in steps if s["id"] == "cse_cpn"), None)  # figures.json's own share
    return (
        f"{_between(figs)} there {were(w['value'])} {counted(w['value'], 'Community Protection Warning')} "
        f"served in relation to child sexual exploitation risks. {words(n['value']).capitalize()} "
        f"{'case' if n['value'] == 1 else 'cases'} progressed to Community Protection Notice stage, equal to "
        f"{pct(part)} of the warnings.{_year_before(figs, w)}"
    )


def _between(figs: dict) -> str:
    """``Between April 2016 and March 2017``, as the seed says it; ``In May 2016`` for one month."""
    first, _, last = period_name(figs).partition(" to ")
    return f"Between {first} and {last}" if last else f"In {first}"


def _year_before(figs: dict, f: dict) -> str:
    """`` In the previous year there were none: a rise more than chance would explain.``, `` In the previous
    year there were 96: up by 9.4% (n=+9), within the range chance gives for counts this small.``: a count's
    year before, its change and verdict, after the seed's sentence; nothing when the year before is withheld
    or not there."""
    p = f.get("previous")
    if p is None or withheld(f, "previous") or f.get("change") is None:
        return ""
    when = f"In {compared_with(figs)} there {were(p)}"
    if not f["change"]:
        return f" {when} {num(p)} too: no change."
    if f["pct_change"] is None:
        return f" {when} none{': a rise ' + chance(f) if chance(f) else ''}."
    return f" {when} {num(p)}: {direction(f)} by {pct(f['pct_change'])} (n={f['change']:+d}){_then(chance(f))}."


def hate(figs: dict) -> str:
    s = headline(figs, "hate_crime", "Hate crime")
    strands = [(label(f"hate_crime_{k}"), _f(figs, f"hate_crime_{k}")) for k in HATE_STRANDS]
    strands = [(n, f) for n, f in strands if f.get("value") is not None and not withheld(f)]
    if strands:
        top = max(strands, key=lambda x: x[1]["value"])
        s += (
            f" {top[0]} is the most common strand ({counted(top[1]['value'], 'crime')}, "
            f"{pct(top[1].get('share'))} of hate crimes); a crime can carry more than one strand."
        )
    return s


def referrals(figs: dict, section: str = "antisocial-behaviour") -> list[str]:
    """A sentence for each partner programme's referrals that this section shows (sections.PROGRAMME_SECTIONS:
    Avert, a programme for women involved in violence, on the violence page; the others with antisocial
    behaviour)."""
    out = []
    for fid, f in figs["figures"].items():
        if not fid.startswith("referrals_") or fid.endswith("_complied") or f.get("value") is None:
            continue
        if PROGRAMME_SECTIONS.get(fid, "antisocial-behaviour") != section:
            continue
        name = f.get("name") or label(fid)
        if f["previous"] and f["pct_change"] is not None:
            s = (
                f"{name}: {counted(f['value'], 'referral')} in {short(figs)} compared with "
                f"{num(f['previous'])} in {short(figs, 'previous')} ({pct(f['pct_change'], True)}){_then(chance(f))}"
            )
        else:
            s = f"{name}: {counted(f['value'], 'referral')} in {short(figs)}"
        c = figs["figures"].get(fid + "_complied")
        if c and c.get("share") is not None and f["value"]:
            s += f"; {pct(c['share'])} of participants ({num(c['value'])}) complied with the programme"
        out.append(s + ".")
    return out


def listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def what_counted(asb: bool) -> tuple[str, str]:
    """What a map or a table of places counts, and its unit: ("crime", "crime") or ("antisocial behaviour",
    "incident")."""
    return ("antisocial behaviour", "incident") if asb else ("crime", "crime")


def neighbourhoods(figs: dict, key: str = "neighbourhoods") -> str:
    """Where in the district the most crime (or ASB) was recorded, by neighbourhood (LSOA)."""
    rows = figs["series"].get(key) or []
    if not rows:
        return ""
    what, unit = what_counted(key != "neighbourhoods")
    top = rows[0]
    if not top["value"]:  # every neighbourhood had some a year earlier, none now
        return (
            f"No {what} was recorded in {figs['area']}'s neighbourhoods (LSOAs) in {period_name(figs)}; "
            f"{counted(len(rows), 'neighbourhood')} had some a year earlier."
        )
    ties = [r["lsoa_name"] for r in rows if r["value"] == top["value"]]
    s = (
        f"Of the {len(rows)} neighbourhoods (LSOAs) of {figs['area']}, {listing(ties)} recorded the most {what} in "
        f"{period_name(figs)}: {counted(top['value'], unit)}" + (" each" if len(ties) > 1 else "")
    )
    if top["change"] is not None and len(ties) == 1:
        c = top["change"]
        s += f", {num(abs(c))} {'more' if c > 0 else 'fewer'} than a year earlier" if c else ", as a year earlier"
    return s + ". The ten with the most are below; the download lists every neighbourhood."


def hotspots(figs: dict, key: str = "hotspots", top: int = 10) -> str:
    """How concentrated crime (or ASB) is on the map: the share the ``top`` busiest hexagonal cells hold, and
    the neighbourhoods (LSOAs) the busiest cells are in."""
    rows = [r for r in figs["series"].get(key) or [] if r.get("value") is not None]
    if not rows:
        return ""
    what, unit = what_counted(key != "hotspots")
    s = f"{what.capitalize()} in {figs['area']} was recorded in {counted(len(rows), 'map cell')} in {period_name(figs)}"
    if len(rows) > top:
        total = sum(r["value"] for r in rows)
        held = sum(r["value"] for r in rows[:top])
        s += f"; the {top} busiest held {counted(held, unit)}, {pct(share(held, total))} of the {num(total)} mapped"
    first = rows[0]
    s += f". The busiest cell ({counted(first['value'], unit)}) is in {first['lsoa_name']}"
    others = [n for n in dict.fromkeys(r["lsoa_name"] for r in rows[1:3]) if n != first["lsoa_name"]]
    if others:
        s += f"; the next busiest {'cell is' if len(rows) == 2 else 'cells are'} in {listing(others)}"
    return s + "."


def rolling(figs: dict, fid: str = "all_crime", unit: str = "crime") -> str:
    """The 12 months to the report's last month, against the year before and the range the data cover; the
    Home Office tables: the four quarters to the report's last quarter (their rows name the quarter)."""
    rows = figs["series"].get("rolling", {}).get(fid) or []
    end = figs["period"]["end"][:7]
    by_month = {r["month"]: r for r in rows}
    here = by_month.get(end)
    if here is None:
        return ""

    def to(r: dict, long: bool = True) -> str:
        if r.get("quarter"):
            return f"{r['label']} ({r['quarter']})" if long else r["quarter"]
        return r["label"]

    span = "four quarters" if here.get("quarter") else "12 months"
    n = here["value"]
    s = f"In the {span} to {to(here)}, {counted(n, unit)} {were(n)} recorded in {figs['area']}"
    before = by_month.get(f"{int(end[:4]) - 1}{end[4:]}")
    if before is not None:
        s += f", against {num(before['value'])} in the {span} to {to(before)}"
    if len(rows) >= 3:
        top = max(rows, key=lambda r: (r["value"], r["month"]))
        low = min(rows, key=lambda r: (r["value"], r["month"]))
        totals = (
            "twelve-month totals the data give"
            if not here.get("quarter")
            else "four-quarter totals the police.uk files give"
            if source_of(figs["figures"].get(fid, {})) == "police.uk"
            else "four-quarter totals the tables give"
        )
        s += (
            f". Over the {len(rows)} {totals}, the highest was to {to(top, False)} "
            f"({num(top['value'])}) and the lowest to {to(low, False)} ({num(low['value'])})"
        )
    return s + "."


def outcomes(figs: dict) -> str:
    """What happened next to the period's crimes (police.uk's last outcome), and why recent months read
    differently: outcomes are updated after publication."""
    rows = figs["series"].get("outcomes") or []
    total = _f(figs, "all_crime")
    if not rows or not rows[0]["value"]:
        return ""
    top = rows[0]
    s = (
        f"Of the {num(total['value'])} crimes recorded in {period_name(figs)}, the most common last outcome "
        f"was '{top['outcome']}' ({pct(top['share'])})"
    )
    pending = next((r for r in rows if r["outcome"] == "Under investigation"), None)
    if pending and pending is not top and pending["value"]:
        s += f"; {pct(pending['share'])} were still under investigation when the files were published"
    return (
        s + ". Outcomes are updated after publication, so the most recent months show more crimes under "
        "investigation than they will later."
    )


DEMO_BANNER = (
    '<div class="csp-demo" role="note"><strong>Demonstration data.</strong> This report is made from invented '
    "records (<code>csp demo-data</code>), calibrated to Blackpool's published 2016/17 report. No real person "
    "is in them and no figure here describes a real place.</div>"
)


def demo(figs: dict) -> bool:
    """Whether the report is made from the invented demonstration data."""
    return figs.get("source", {}).get("kind") == "demo"


def banner(figs: dict) -> str:
    """The notice every page of a demonstration report carries, else nothing."""
    return DEMO_BANNER + "\n" if demo(figs) else ""


def source_line(figs: dict) -> str:
    """``police.uk street files in police_uk (43 files, 2015-07 to 2022-10), content sha256:97847db0...``"""
    s = figs.get("source")
    if not s:
        return "Source not recorded (built by an older csp-book)."
    kind = {
        "demo": "Demonstration data (invented)",
        "police.uk": "data.police.uk street files",
        "homeoffice": "Home Office police recorded crime open data tables",
    }.get(s["kind"], "Force and partner extract (data contract)")
    files = f"{s['file_count']} file{'s' if s['file_count'] != 1 else ''}"
    return f"{kind} in the folder `{s['folder']}` ({files}, {s['months']}), content {s['hash'][:19]}…"


def open_data_note(figs: dict) -> str:
    """What a report made from data.police.uk street files can and cannot show."""
    return (
        "This report is made from the street-level files of data.police.uk, which any partnership can "
        "download. They give each crime's month, type and neighbourhood (LSOA), and antisocial behaviour "
        "incidents, but no domestic abuse marker, assault severity, victim or offender age, hate crime "
        "strand or exploitation flag, and police.uk groups violence and sexual offences together. "
        'Figures that need those fields say "not available from police.uk open data"; MARAC, '
        "interventions and referrals come from partners, not police.uk. Districts are read from the LSOA "
        "names; records with no location or in a neighbouring force's districts are counted on the data "
        "quality page and left out of the district and county figures."
    )


def report_kind(figs: dict) -> str:
    """What the report is a report of: a Community Safety Partnership's, or (from the Home Office tables) a police
    force area's, for a Police and Crime Commissioner's panel."""
    if figs.get("data_format") == "home office" and force_area_report(figs):
        return "Police force area"
    return "Community Safety Partnership"


def has_policeuk(figs: dict) -> bool:
    """Whether a report from the Home Office tables has police.uk street files beside them (data/combined.py)."""
    return bool((figs.get("source") or {}).get("policeuk"))


def source_of(f: dict) -> str:
    """Which source counted a figure, in words (its ``provenance``): ``Home Office tables`` or ``police.uk``."""
    where = (f.get("provenance") or {}).get("source")
    return {"homeoffice": "Home Office tables", "police.uk": "police.uk"}.get(where, "")


def quarters_why(figs: dict, fid: str) -> str:
    """Why a chart or sentence of a report from the Home Office tables is of quarters: the tables count quarters;
    a police.uk figure beside them (data/combined.py) is counted by quarter as they are."""
    if source_of(figs["figures"].get(fid, {})) == "police.uk":
        return "this report counts quarters, as the Home Office tables do"
    return "the Home Office tables count quarters"


def two_sources_note(figs: dict) -> str:
    """What each source of a report made from the Home Office tables and police.uk street files gives."""
    p = (figs.get("source") or {}).get("policeuk") or {}
    counted = f" (whole quarters counted: {p['counted']})" if p.get("counted") else ""
    return (
        "Two sources, each figure labelled with the one that counted it: the offence counts (all crime, its "
        "groups and subgroups) are the Home Office's police recorded crime open data tables; antisocial behaviour, "
        f"the neighbourhoods, the hotspot maps and the outcomes are the data.police.uk street files{counted}, "
        "counted by quarter as the tables are. The two count crime differently (police.uk's files are a snapshot "
        "taken when each month was published, and hold only the crimes it could place on its map): the data "
        "quality page sets police.uk's all crime beside the tables' for each quarter both cover."
    )


def home_office_note(figs: dict) -> str:
    """What a report made from the Home Office police recorded crime open data tables can and cannot show."""
    source = figs.get("source") or {}
    level = "police force area" if force_area_report(figs) else "Community Safety Partnership"
    if level != "police force area":
        whole = f"{figs['county']} (the sum of its partnerships in the tables)"
    elif county_name(figs) == "England and Wales":
        whole = "England and Wales (the sum of the force areas in the tables)"
    else:  # a region of areas.csv
        whole = (
            f"{county_name(figs)} (the sum of its force areas in the tables, as areas.csv's region column groups them)"
        )
    latest = f" The tables count to {source['release']}." if source.get("release") else ""
    of = figs["area"] if level == "police force area" else f"the {level} of {figs['area']}"
    lacks = (
        "no hate crime strand, no exploitation flag and no ages (antisocial behaviour, outcomes and neighbourhoods "
        "come from the police.uk street files beside them)"
        if has_policeuk(figs)
        else "no antisocial behaviour, no hate crime strand, no exploitation flag, no ages, no outcomes and no "
        "neighbourhoods"
    )
    return (
        f"This report is made from the Home Office's police recorded crime open data tables, for {of}, compared "
        f"with {whole}. They count crimes by quarter and Home Office offence group and "
        "subgroup (violence with injury, violence without injury, stalking and harassment, rape, other sexual "
        "offences, ...), fraud left out of all crime as the Home Office leaves it out. They have no domestic abuse "
        f'marker, {lacks}: those sections are left out, and figures that need them say "not in the Home Office '
        "open data tables\". The force's own assault split (serious, less serious, non-injury) has no Home Office "
        "equivalent: the pages show the Home Office's split in its place, under its own names. The tables count "
        "quarters, so there is no month by month: the rolling four quarters stand in for the rolling 12 months "
        f"and the XmR charts are of quarters.{latest} Rows of bodies that are not areas (Action Fraud, British "
        "Transport Police, ...) are counted on the data quality page and in no area."
    )


def summary(figs: dict, ids: list[tuple[str, str]]) -> str:
    """A short generated summary of the headline measures for the landing page."""
    total = _f(figs, "all_crime")
    if unavailable(total):
        return ""
    s = f"In {period_name(figs)}, police recorded {num(total['value'])} crimes in {figs['area']}"
    if total["pct_change"] is not None and total["change"]:
        more = "more" if total["change"] > 0 else "fewer"
        s += f", {pct(total['pct_change'])} {more} than in {previous_name(figs)}{_then(chance(total))}"
        c = _f(figs, "county_all_crime")
        if c.get("pct_change") is not None:
            moved = direction(c, "rose", "fell", "was unchanged")
            s += f"; across {county_name(figs)} crime {moved} by {pct(c['pct_change'])}{_then(chance(c))}"
    s += "."

    def item(name: str, f: dict) -> str:  # "hate crime (+52.3%, more than chance)", as the tiles say it
        verdict = chance(f) and f["significance"]["verdict"]
        short = "" if not verdict else "within chance" if verdict == "no clear change" else "more than chance"
        return f"{name.lower()} ({pct(f['pct_change'], True)}{_then(short)})"

    up = [item(name, f) for fid, name in ids if (f := _f(figs, fid)).get("pct_change") is not None and f["change"] > 0]
    down = [
        item(name, f) for fid, name in ids if (f := _f(figs, fid)).get("pct_change") is not None and f["change"] < 0
    ]

    if up:
        s += f" {capital(listing(up))} rose"
        s += f", while {listing(down)} fell." if down else "."
    elif down:
        s += f" {capital(listing(down))} fell."
    return s


def _month(key: str) -> str:
    """``December 2016`` from ``2016-12``."""
    return parse(key).long_label


def variation(figs: dict, fid: str, subject: str | None = None) -> str:
    """Whether any month of the period was unusual for the area, in words a councillor reads: ``December
    2016's 206 was unusually high for Blackpool``; the method (an XmR chart, NHS Making Data Count rules)
    in a note after it."""
    chart = figs["series"].get("xmr", {}).get(fid)
    if not chart:
        return ""
    subject = subject or subject_of(fid)
    subject = subject[0].lower() + subject[1:]  # "crimes flagged as CSE", not "cse"
    area = figs["area"]
    # a point a quarter (the Home Office tables: each named as its quarter) or a month
    unit = "quarter" if figs.get("data_format") == "home office" else "month"
    if chart.get("suppressed"):
        return (
            f"{capital(unit)}ly counts of {subject} in {area} are not published: some {unit}s had "
            f"{fewer(figs)}, withheld to protect the people involved."
        )
    points = chart["points"]

    def _month(key: str) -> str:  # noqa: F811 (the point's name: its month, or its quarter)
        if unit == "month":
            return parse(key).long_label
        return next(p["quarter"] for p in points if p["month"] == key)

    first, last = figs["period"]["start"][:7], figs["period"]["end"][:7]
    inside = {i for i, p in enumerate(points) if first <= p["month"] <= last}
    said = []
    for high in (True, False):  # months beyond the limits: the clearest signal
        beyond = sorted(
            {
                i
                for s in chart["signals"]
                if s["rule"] == "outside" and (s["direction"] == "up") == high
                for i in s["points"]
                if i in inside
            }
        )
        word = "high" if high else "low"
        if 0 < len(beyond) <= 2:
            said.append(
                " and ".join(f"{_month(points[i]['month'])}'s {num(points[i]['value'])}" for i in beyond)
                + f" {'was' if len(beyond) == 1 else 'were'} unusually {word} for {area}"
            )
        elif beyond:
            top = (max if high else min)(beyond, key=lambda i: points[i]["value"])
            most = f"{'highest' if high else 'lowest'} {_month(points[top]['month'])}'s {num(points[top]['value'])}"
            share = f"All {len(inside)}" if len(beyond) == len(inside) else f"{len(beyond)} of the {len(inside)}"
            said.append(f"{share} {unit}s were unusually {word} for {area}, the {most}")
    for rule in ("shift", "trend"):  # the longest run that reaches into the period
        runs = [s for s in chart["signals"] if s["rule"] == rule and set(s["points"]) & inside]
        if not runs or len(said) >= 2:
            continue
        s = max(runs, key=lambda s: (len(set(s["points"]) & inside), len(s["points"])))
        run, high = s["points"], s["direction"] == "up"
        if rule == "shift":
            said.append(
                f"{subject} stayed {'above' if high else 'below'} its usual level for {len(run)} {unit}s "
                f"in a row, {_month(points[run[0]]['month'])} to {_month(points[run[-1]]['month'])}"
            )
        else:
            said.append(
                f"{subject} {'rose' if high else 'fell'} {len(run) - 1} {unit}s running, to "
                f"{num(points[run[-1]]['value'])} in {_month(points[run[-1]]['month'])}"
            )
    if not said:
        near = [s for s in chart["signals"] if s["rule"] == "two_of_three" and set(s["points"]) & inside]
        if near:
            s, hit = near[0], sorted(set(near[0]["points"]) & inside)
            said.append(
                f"{' and '.join(_month(points[i]['month']) for i in hit)} came close to the "
                f"{'highest' if s['direction'] == 'up' else 'lowest'} level expected for {area}"
            )
    said = list(dict.fromkeys(said))
    months = len(points)
    to = _month(points[-1]["month"])
    own = f"{area}'s own {months} {unit}s of figures to {to}"
    if chart.get("basis") == "baseline":  # csp.toml's [spc] baseline
        own = f"the baseline of {area}'s first {chart['baseline']} of {months} {unit}s of figures to {to}"
    changes = [_month(m) for m in chart.get("recalculated") or []]
    note = (
        f"*How this is judged: each {unit} is set against the range expected from {own} (an XmR chart, as NHS "
        "Making Data Count uses it; see Methods"
        + (f"; {quarters_why(figs, fid)}, so the chart is of quarters, not months" if unit == "quarter" else "")
        + ")"
        + (
            f"; limits recalculated from {' and from '.join(changes)}, where the process changed: the {unit}s "
            "since are set against their own range"
            if changes
            else ""
        )
        + (f"; with fewer than 12 {unit}s the range is provisional" if chart.get("trial") else "")
        + ".*"
    )
    if not said:
        return (
            f"{capital(unit)} by {unit}, no {unit} of {period_name(figs)} was unusual for {subject} in {area}: "
            f"the ups and downs are within the usual range. {note}"
        )
    text = "; ".join(said)
    return f"{capital(unit)} by {unit}: {capital(text)}. That is more than the usual ups and downs. {note}"


def rate(figs: dict, fid: str, unit: str | None = None) -> str:
    """``That is 133.7 crimes per 1,000 residents in Blackpool (95% interval 131.7 to 135.7; 118.9 in 2015/16),
    higher than the 72.0 across Lancashire and higher than the average of its most similar group (urban
    centres): the highest rate of the 14 districts.`` The comparisons are the rate's bands where figures.json
    has them (its interval above, around or below the other rate)."""
    unit = unit or noun(fid)
    f, c = _f(figs, fid), _f(figs, f"county_{fid}")
    if f.get("rate") is None:
        return ""
    s = f"That is {f['rate']:,.1f} {unit} per {f['rate_per']} in {figs['area']}"
    within = []
    if ci := f.get("rate_ci95"):  # the exact interval: what the rate could be for a count this size
        within.append(f"95% interval {ci[0]:,.1f} to {ci[1]:,.1f}")
    if f.get("previous_rate") is not None:
        within.append(f"{f['previous_rate']:,.1f} in {short(figs, 'previous')}")
    if within:
        s += f" ({'; '.join(within)})"
    if c.get("rate") is not None:
        # the band (the interval above, around or below the county's rate) where it is worked, else the rates
        higher = f.get("rate_band_county") or (
            "higher than" if f["rate"] > c["rate"] else "lower than" if f["rate"] < c["rate"] else "the same as"
        )
        s += f", {higher} the {c['rate']:,.1f} across {county_name(figs)}"
    if (band := f.get("rate_band_family")) and figs.get("family"):
        s += f" and {band} the average of its most similar group ({figs['family']['name']})"
    r = figs["figures"].get(f"{fid}_rate_rank_in_county", {})
    if r.get("value") and r.get("of", 0) > 1:
        place = "the highest" if r["value"] == 1 else f"the {ordinal(r['value'])} highest"
        s += f": {place} rate of the {r['of']} {districts_word(figs)}"
    return s + "."
