"""The national book from one file: every CSP (and force area) of a synthetic national Home Office CSP table.

    .venv/bin/python benchmarks/bench_homeoffice.py [--csps 300] [--forces 43] [--folder /tmp/ho_national]
                                                    [--jobs 2] [--period 2022/23]

1. generate (each run: a few seconds) a national CSP table as the Home Office publishes it (``Financial Year``,
   ``Financial Quarter``, ``Force Name``, ``CSP Name``, ``Offence Description``, ``Offence Group``, ``Offence
   Subgroup``, ``Offence Code``, ``Number of Offences``): ``--forces`` forces sharing ``--csps`` CSPs, four
   financial years (2019/20 to 2022/23), every quarter, 32 offence codes over every group and subgroup of the
   mapping, counts drawn (seeded) around each CSP's size; and Action Fraud's rows. Not committed as data.
2. a cold ``csp build --all-districts --period 2022/23`` into a fresh copy of the project, a fresh output
   folder and a fresh cache (the table counted by DuckDB inside the timed build): every CSP and every force
   area. The time of each step (figures, notebooks, books) from the build's own log, the whole time and the
   peak memory of the build's process tree (bench_national.measure).

Prints the result and writes ``benchmarks/results-homeoffice.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import time
from pathlib import Path

from csp_lib.data.homeoffice import COLUMNS

ROOT = Path(__file__).resolve().parents[1]
YEARS = (2019, 2020, 2021, 2022)
# code: (description, group, subgroup, offences a quarter in a CSP of 100,000 residents)
CODES = {
    "1": ("Murder", "Violence against the person", "Homicide", 0.05),
    "4.4": (
        "Causing death by dangerous driving",
        "Violence against the person",
        "Death or serious injury caused by unlawful driving",
        0.1,
    ),
    "5A": ("Assault with intent to cause serious harm", "Violence against the person", "Violence with injury", 8),
    "8N": ("Assault with injury", "Violence against the person", "Violence with injury", 120),
    "105A": ("Assault without injury", "Violence against the person", "Violence without injury", 160),
    "8Q": ("Stalking", "Violence against the person", "Stalking and harassment", 30),
    "8R": ("Harassment", "Violence against the person", "Stalking and harassment", 90),
    "19C": ("Rape of a female aged 16 and over", "Sexual offences", "Rape", 9),
    "19G": ("Rape of a male aged 16 and over", "Sexual offences", "Rape", 1),
    "17A": ("Sexual assault on a male aged 13 and over", "Sexual offences", "Other sexual offences", 3),
    "20A": ("Sexual assault on a female aged 13 and over", "Sexual offences", "Other sexual offences", 12),
    "34A": ("Robbery of business property", "Robbery", "Robbery of business property", 2),
    "34B": ("Robbery of personal property", "Robbery", "Robbery of personal property", 15),
    "28E": ("Residential burglary of a home", "Theft offences", "Residential burglary", 40),
    "30C": ("Burglary business and community", "Theft offences", "Business and community burglary", 15),
    "45": ("Theft from vehicle", "Theft offences", "Vehicle offences", 35),
    "48": ("Theft or unauthorised taking of motor vehicle", "Theft offences", "Vehicle offences", 15),
    "39": ("Theft from the person", "Theft offences", "Theft from the person", 10),
    "44": ("Theft or unauthorised taking of a pedal cycle", "Theft offences", "Bicycle theft", 12),
    "46": ("Shoplifting", "Theft offences", "Shoplifting", 90),
    "49": ("Other theft", "Theft offences", "All other theft offences", 70),
    "56A": ("Arson endangering life", "Criminal damage and arson", "Arson", 1),
    "58A": ("Criminal damage to a dwelling", "Criminal damage and arson", "Criminal damage", 40),
    "58C": ("Criminal damage to a vehicle", "Criminal damage and arson", "Criminal damage", 35),
    "92A": ("Trafficking in controlled drugs", "Drug offences", "Trafficking of drugs", 6),
    "92D": ("Possession of controlled drugs (cannabis)", "Drug offences", "Possession of drugs", 25),
    "10A": (
        "Possession of article with blade or point",
        "Possession of weapons offences",
        "Possession of weapons offences",
        6,
    ),
    "9A": ("Public fear, alarm or distress", "Public order offences", "Public order offences", 60),
    "66": ("Other offences against the State or public order", "Public order offences", "Public order offences", 5),
    "99": (
        "Other notifiable offences",
        "Miscellaneous crimes against society",
        "Miscellaneous crimes against society",
        8,
    ),
    "802": ("Dangerous driving", "Miscellaneous crimes against society", "Miscellaneous crimes against society", 2),
    "53A": ("Cheque, plastic card and online bank accounts", "Fraud offences", "Fraud offences", 1),
}
HEADER = list(COLUMNS.values())  # the tables' header, as csp_lib reads it


def generate(folder: Path, csps: int, forces: int, seed: int = 28) -> tuple[Path, int]:
    """The national CSP table at ``folder``/prc-csp-tables-synthetic.csv; returns it and its rows."""
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "prc-csp-tables-synthetic.csv"
    force_of = [f"Force {i + 1:02d}" for i in range(forces)]
    areas = [(f"Partnership {i + 1:03d}", force_of[i % forces], rng.uniform(0.6, 3.0)) for i in range(csps)]
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for y in YEARS:
            fy = f"{y}/{(y + 1) % 100:02d}"
            for q in range(1, 5):
                for csp, force, size in areas:
                    for code, (desc, group, sub, rate) in CODES.items():
                        out.writerow([fy, q, force, csp, desc, group, sub, code, int(rng.poisson(rate * size))])
                        n += 1
                out.writerow(
                    [
                        fy,
                        q,
                        "Action Fraud",
                        "Action Fraud",
                        "Action Fraud",
                        "Fraud offences",
                        "Fraud offences",
                        "53F",
                        int(rng.poisson(70_000)),
                    ]
                )
                n += 1
    return path, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csps", type=int, default=300)
    ap.add_argument("--forces", type=int, default=43)
    ap.add_argument("--folder", default="/tmp/ho_national")
    ap.add_argument("--work", default="/tmp/bench_homeoffice")
    ap.add_argument("--period", default="2022/23")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_national import measure, project

    folder, work = Path(args.folder), Path(args.work)
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    path, rows = generate(folder, args.csps, args.forces)
    made = round(time.perf_counter() - started, 1)
    shutil.rmtree(work, ignore_errors=True)
    os.environ["CSP_CACHE_DIR"] = str(work / "cache")  # cold: the table is counted inside the timed build
    proj = project(work / "project")
    cmd = [
        sys.executable,
        "-m",
        "csp_lib.cli",
        "build",
        "--data",
        str(folder),
        "--all-districts",
        "--period",
        args.period,
        "--out",
        str(proj / "_build"),
        "--jobs",
        str(args.jobs),
    ]
    r = measure(cmd, proj)
    reports = len(list((proj / "_build" / "html" / "book" / "reports").glob("*/*/index.html")))
    r |= {"reports": reports, "per_report": round(r["seconds"] / max(reports, 1), 2)}
    results = {
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "table": {
            "csps": args.csps,
            "forces": args.forces,
            "rows": rows,
            "mb": round(path.stat().st_size / 2**20, 1),
            "generated_s": made,
        },
        "period": args.period,
        "cold": r,
    }
    (ROOT / "benchmarks" / "results-homeoffice.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
