"""Pandoc Markdown -> HTML (self-contained), DOCX, and PDF through Typst.

All three use the pandoc binary shipped by ``pypandoc-binary``; the PDF is compiled by
the ``typst`` Python package, so no LaTeX and no network is needed. HTML math is
rendered by pandoc as plain HTML (no MathJax), and the stylesheet is embedded, so
the page makes no request when opened.
"""

from __future__ import annotations

from pathlib import Path

import pypandoc
import yaml

from analysis.errors import DupitacError
from analysis.render import epoch, staging

FORMATS = ("html", "pdf", "docx")
# @refs are resolved by crossref.py, never by citeproc. Raw HTML is not read: the documents
# use none (qmd.py refuses it in their text), and pandoc's raw-HTML scanner costs seconds on
# long tables full of "<0.001".
READER = "markdown-citations-raw_html"

CSS = """
body { max-width: 46em; margin: 2em auto; padding: 0 1em; font-family: Georgia, 'Times New Roman',
  serif; line-height: 1.45; color: #1b1b1b; }
h1, h2, h3, h4 { font-family: 'Helvetica Neue', Arial, sans-serif; line-height: 1.2; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { padding: 0.25em 0.6em; border-bottom: 1px solid #ccc; vertical-align: top; }
thead th { border-bottom: 2px solid #555; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.4em; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.92em; margin-top: 0.4em; }
.callout-important, .callout-note, .callout-warning { border-left: 5px solid #b35c00;
  background: #fff4e5; padding: 0.6em 1em; margin: 1em 0; }
.callout-note { border-left-color: #2f6eb5; background: #eef4fb; }
nav#TOC { font-size: 0.9em; }
"""

# Quarto prints "Figure n:"/"Table n:" itself; crossref.py put them in the captions, so
# Typst must not add its own numbers. Table captions go on top, as in Quarto.
TYPST_HEADER = """
#set figure(numbering: none)
#show figure.where(kind: table): set figure.caption(position: top)
#show figure.caption: set align(left)
#set table(stroke: (x, y) => if y <= 1 { (top: 0.6pt) } else { none })
#set text(size: 10.5pt)
// Tables in a smaller face, ragged right and unhyphenated, with tight cells: wide tables
// (nine columns) then keep one line per row on an A4 page.
#show table: set text(size: 8pt, hyphenate: false)
#show table: set par(justify: false)
#set table(inset: (x: 3.5pt, y: 2.6pt))
"""

# Pandoc gives a pipe table relative column widths from its separator line when any line
# is longer than --columns; those follow header lengths, not content, and cramp wide
# tables. With a wide --columns every table gets natural (auto) widths in each format.
COLUMNS = "--columns=10000"


# Quarto draws callouts as boxes in every format; pandoc's Typst writer would drop the
# class, so this filter gives the builtin PDF the same kind of box.
CALLOUT_LUA = r"""
local fills = {important = {"#fff4e5", "#b35c00"}, warning = {"#fff4e5", "#b35c00"},
               note = {"#eef4fb", "#2f6eb5"}, tip = {"#eef8ee", "#2e7d32"},
               caution = {"#fff4e5", "#b35c00"}}
function Div(el)
  for kind, c in pairs(fills) do
    if el.classes:includes("callout-" .. kind) then
      local open = string.format('#block(fill: rgb("%s"), stroke: (left: 3pt + rgb("%s")), '
        .. 'inset: 8pt, width: 100%%)[', c[1], c[2])
      local out = {pandoc.RawBlock("typst", open)}
      for _, b in ipairs(el.content) do table.insert(out, b) end
      table.insert(out, pandoc.RawBlock("typst", "]"))
      return out
    end
  end
end
"""


# Tables come in natural widths (see COLUMNS) unless their content cannot fit one line per
# cell on the page: then (PDF, DOCX) each column is at least as wide as its longest word and
# the rest of the width goes to the columns whose text must wrap; in the PDF such a table is
# set in 7 pt.
TABLE_WIDTHS_LUA = r"""
-- LIMIT: characters that fit across A4's text width in the 8 pt table face; BUDGET: the
-- same in the 7 pt face used for wider tables.
local LIMIT, BUDGET, CAP, LONG = 115, 135, 36, 40
local function measure(rows, ncol, long, word)
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row.cells) do
      if i <= ncol then
        local text = pandoc.utils.stringify(cell.contents)
        long[i] = math.max(long[i], utf8.len(text) or 0)
        -- a line may break at spaces and after hyphens and dashes
        local spaced = text:gsub("%-", "- "):gsub("\u{2013}", "\u{2013} ")
        for w in spaced:gmatch("%S+") do word[i] = math.max(word[i], utf8.len(w) or 0) end
      end
    end
  end
end
function Table(tbl)
  local ncol = #tbl.colspecs
  local long, word = {}, {}
  for i = 1, ncol do long[i] = 1; word[i] = 1 end
  measure(tbl.head.rows, ncol, long, word)
  for _, body in ipairs(tbl.bodies) do measure(body.body, ncol, long, word) end
  local total, nrows = 0, 0
  for i = 1, ncol do total = total + long[i] + 1 end
  for _, body in ipairs(tbl.bodies) do nrows = nrows + #body.body end
  -- pandoc puts each table in a figure, which Typst keeps on one page: a long table (the
  -- scorecard) must be allowed to run on, a short one stays whole with its caption
  local open = {}
  if nrows > LONG and FORMAT:match("typst") then
    table.insert(open, "#show figure: set block(breakable: true)")
  end
  if total > LIMIT and FORMAT:match("typst") then
    table.insert(open, "#show table: set text(size: 7pt)")
  end
  local function wrapped(t)
    if #open == 0 then return t end
    return {pandoc.RawBlock("typst", "#[" .. table.concat(open, "\n")), t,
            pandoc.RawBlock("typst", "]")}
  end
  if total <= LIMIT then return wrapped(tbl) end
  -- each column gets its longest word (which cannot wrap), then the room left goes to the
  -- columns whose text would wrap, in proportion to what they lack
  local words, lack, w = 0, 0, {}
  for i = 1, ncol do
    words = words + word[i] + 1
    lack = lack + math.max(0, math.min(long[i], CAP) - word[i])
  end
  local room = math.max(0, BUDGET - words)
  local sum = 0
  for i = 1, ncol do
    local extra = lack > 0 and room * math.max(0, math.min(long[i], CAP) - word[i]) / lack or 0
    w[i] = word[i] + 1 + extra
    sum = sum + w[i]
  end
  for i = 1, ncol do tbl.colspecs[i] = {tbl.colspecs[i][1], w[i] / sum} end
  return wrapped(tbl)
end
"""


class RenderError(DupitacError):
    """A converter (pandoc, Typst) refused the assembled document."""


def front_matter(meta: dict) -> str:
    keep = {k: meta[k] for k in ("title", "subtitle", "author", "date", "abstract", "lang",
                                 "keywords", "toc-title") if k in meta}
    if not keep:
        return ""
    return "---\n" + yaml.safe_dump(keep, allow_unicode=True, sort_keys=False) + "---\n\n"


def _common_args(meta: dict, workdir: Path) -> list[str]:
    args = ["--resource-path", str(workdir), COLUMNS]
    if meta.get("number-sections"):
        args.append("--number-sections")
    return args


def parse(text: str, out: Path) -> Path:
    """Read the Markdown once into pandoc's JSON AST at ``out``; each writer starts from it."""
    staging.phase("pandoc-read")
    try:
        pypandoc.convert_text(text, "json", format=READER, outputfile=str(out), sandbox=False,
                              extra_args=[COLUMNS])
    except RuntimeError as err:
        raise RenderError(f"pandoc could not read the assembled document: {err}") from None
    return out


def _pandoc(source, to: str, out: Path, args: list[str]) -> None:
    """Convert ``source`` (Markdown text, or the Path of a JSON AST from :func:`parse`)."""
    staging.phase(f"pandoc-{to}")
    try:
        if isinstance(source, Path):
            pypandoc.convert_file(str(source), to, format="json", outputfile=str(out),
                                  extra_args=args, sandbox=False)
        else:
            pypandoc.convert_text(source, to, format=READER, outputfile=str(out),
                                  extra_args=args, sandbox=False)
    except RuntimeError as err:
        raise RenderError(f"pandoc could not write {to}: {err}") from None


def _toc(meta: dict, fmt: str) -> bool:
    opt = (meta.get("format") or {})
    fmt_opts = opt.get(fmt) if isinstance(opt, dict) else None
    if isinstance(fmt_opts, dict) and "toc" in fmt_opts:
        return bool(fmt_opts["toc"])
    return bool(meta.get("toc", False))


def write_html(text: str, meta: dict, workdir: Path, out: Path) -> None:
    css = workdir / "_dupitac.css"
    css.write_text(CSS, encoding="utf-8")
    args = _common_args(meta, workdir) + ["--standalone", "--embed-resources", "--css", str(css),
                                          "--metadata", f"pagetitle={meta.get('title', 'report')}"]
    if _toc(meta, "html"):
        args.append("--toc")
    _pandoc(text, "html5", out, args)


def _widths_filter(workdir: Path, fmt: str) -> list[str]:
    lua = workdir / f"_dupitac-table-widths-{fmt}.lua"  # one per writer thread
    lua.write_text(TABLE_WIDTHS_LUA, encoding="utf-8")
    return ["--lua-filter", str(lua)]


def write_docx(text: str, meta: dict, workdir: Path, out: Path) -> None:
    _pandoc(text, "docx", out, _common_args(meta, workdir) + _widths_filter(workdir, "docx"))


def write_pdf(text: str, meta: dict, workdir: Path, out: Path) -> None:
    import typst

    header = workdir / "_dupitac-header.typ"
    header.write_text(TYPST_HEADER, encoding="utf-8")
    lua = workdir / "_dupitac-callouts.lua"
    lua.write_text(CALLOUT_LUA, encoding="utf-8")
    typ = workdir / (out.stem + ".typ")
    args = _common_args(meta, workdir) + ["--standalone", "--include-in-header", str(header),
                                          "-V", "papersize=a4", "--lua-filter", str(lua),
                                          *_widths_filter(workdir, "typst")]
    if _toc(meta, "typst"):
        args.append("--toc")
    _pandoc(text, "typst", typ, args)
    staging.phase("typst")
    try:
        typst.compile(str(typ), output=str(out), root=str(workdir), timestamp=epoch.epoch())
    except Exception as err:  # typst raises its own error type per version
        raise RenderError(f"typst could not compile {typ.name}: {err}") from None


WRITERS = {"html": write_html, "docx": write_docx, "pdf": write_pdf}
