"""Stage 3, what a reader sees, made from figures.json alone: ``narrative`` (sentences), ``tables``,
``charts``, ``downloads`` (CSV and the workbook), ``pages`` (landing and data quality pages) and
``report`` (what a section notebook calls)."""
