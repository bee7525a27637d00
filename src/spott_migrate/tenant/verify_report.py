"""The verification report: one self-contained HTML page for whoever signs the migration off.

The summary (rows per verdict, ids repaired, records checked) and every row that needs
attention: missing, present more than once, or not checkable. No scripts, no links.
"""

from __future__ import annotations

from html import escape

from .verify import RowCheck, RowVerdict, Verification

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 76em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.muted { color: #666; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.3em 0.6em; border-bottom: 1px solid #eee;
  vertical-align: top; }
th { background: #f4f4f4; }
td.n { text-align: right; }
.present { background: #e3f4e1; } .missing { background: #fbe0de; }
.duplicated { background: #fdf0d2; } .unchecked { background: #ececec; }
"""
_FIX = {
    RowVerdict.MISSING: "Spott does not hold it: check the record in Spott; to send it again,"
    " clear the row's spott_status and spott_attachment_id and delete its journal entry",
    RowVerdict.DUPLICATED: "the file is on the record more than once: remove the extra copies"
    " in Spott (the API has no delete)",
    RowVerdict.UNCHECKED: "run verify again later",
}
_CLASS = {
    RowVerdict.PRESENT: "present",
    RowVerdict.MISSING: "missing",
    RowVerdict.DUPLICATED: "duplicated",
    RowVerdict.UNCHECKED: "unchecked",
}


def _row(check: RowCheck) -> str:
    cells = [
        (str(check.source_row), "n"),
        (check.record, ""),
        (check.file_path, ""),
        (check.name, ""),
        ("" if check.size is None else f"{check.size:,}", "n"),
        (check.verdict.value, _CLASS[check.verdict]),
        (check.kept_id, ""),
        (" ".join(check.spott_ids), ""),
        (check.detail, ""),
        (_FIX.get(check.verdict, ""), ""),
    ]
    return "<tr>" + "".join(f'<td class="{c}">{escape(t)}</td>' for t, c in cells) + "</tr>"


def render_html(result: Verification) -> str:
    """The whole page as text."""
    counts = result.counts()
    summary = "".join(
        f'<tr><td class="{_CLASS[v]}">{escape(v.value)}</td><td class="n">{counts[v.value]:,}</td>'
        "</tr>"
        for v in RowVerdict
    )
    summary += f'<tr><td>ids repaired</td><td class="n">{counts["ids repaired"]:,}</td></tr>'
    scope = f"{result.records_checked:,} of {result.records_total:,} records"
    if result.sampled:
        scope += " (a random sample)"
    attention = [r for r in result.rows if r.needs_attention]
    headers = (
        "row",
        "record",
        "file",
        "name",
        "bytes",
        "verdict",
        "id kept",
        "ids in Spott",
        "detail",
        "what to do",
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(_row(r) for r in attention)
    table = (
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        if attention
        else '<p class="muted">None: every row checked is in Spott, once.</p>'
    )
    verdict = "everything checked is present" if result.ok else "some rows need attention"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Verification of {escape(result.manifest.name)}</title><style>{_CSS}</style></head>
<body>
<h1>Verification of {escape(result.manifest.name)}</h1>
<p class="muted">Checked against Spott at {escape(result.checked_at)}: {escape(scope)},
{len(result.rows):,} assigned rows, {result.requests_sent:,} requests. Result: {verdict}.</p>
<h2>Summary</h2>
<table style="width:auto">{summary}</table>
<h2>Rows that need attention</h2>
{table}
</body></html>
"""
