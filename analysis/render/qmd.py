"""Read a Quarto document into front matter, markdown chunks and python cells.

Only the subset of Quarto the dupitac documents use is accepted; anything else
(another engine, another shortcode, an unknown cell option or front-matter key) is
refused by name, with the file and line where it stands, so that the builtin engine
never renders silently differently from real Quarto.

Examples
--------
>>> doc = parse_text("---\\ntitle: T\\n---\\n\\nx = `{python} 1+1`\\n", "t.qmd")
>>> doc.meta["title"], [type(b).__name__ for b in doc.blocks]
('T', ['Markdown'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.errors import InputError, Problem

# Cell options the builtin engine honours (Quarto names, same meaning).
CELL_OPTIONS = {
    "echo": bool, "eval": bool, "include": bool, "warning": bool, "error": bool,
    "output": (bool, "asis"), "label": str, "fig-cap": str, "fig-alt": str,
    "tbl-cap": str, "tags": list,
}
# Front-matter keys understood here; others would change what Quarto renders.
FRONT_MATTER = {
    "title", "subtitle", "author", "date", "abstract", "params", "execute", "format",
    "jupyter", "engine", "number-sections", "toc", "toc-depth", "lang", "keywords",
    "description", "abstract-title", "toc-title", "date-format", "editor",
}

_FENCE = re.compile(r"^(?P<indent>\s{0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>.*?)\s*$")
_EXEC_INFO = re.compile(r"^\{(?P<lang>[A-Za-z][\w-]*)(?P<rest>[^}]*)\}$")
_SHORTCODE = re.compile(r"\{\{<\s*(?P<name>[\w-]+)(?P<args>.*?)>\}\}")
_INCLUDE = re.compile(r"^\s*\{\{<\s*include\s+(?P<path>\S+?)\s*>\}\}\s*$")
_OPTION = re.compile(r"^#\|\s?(?P<yaml>.*)$")
_BACKTICKS = re.compile(r"`+")
_INLINE = re.compile(r"^\{(?P<lang>[A-Za-z][\w-]*)\}\s+(?P<expr>.+?)\s*$", re.S)


@dataclass
class Line:
    text: str
    file: str
    line: int


@dataclass
class Markdown:
    """A run of markdown; ``inline`` lists the ``{python}`` expressions in it."""

    text: str
    file: str
    line: int
    inline: list = field(default_factory=list)


@dataclass
class Cell:
    source: str
    options: dict
    file: str
    line: int


@dataclass
class Document:
    path: Path
    meta: dict
    blocks: list


def _problem(rule: str, message: str, file: str, line: int | None, value=None) -> InputError:
    # Documents have lines, not spreadsheet rows: the line goes with the file, as editors expect.
    where = f"{file}:{line}" if line else file
    return InputError([Problem(rule=rule, message=message, file=where, value=value)],
                      summary=f"cannot render {file}")


def split_front_matter(text: str, file: str) -> tuple[dict, list[str], int]:
    """Return (meta, body lines, line number of the first body line)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, lines, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError as err:
                raise _problem("qmd-front-matter", f"front matter is not valid YAML: {err}", file, 1)
            if not isinstance(meta, dict):
                raise _problem("qmd-front-matter", "front matter must be a mapping", file, 1)
            return meta, lines[i + 1:], i + 2
    raise _problem("qmd-front-matter", "front matter opened with --- is never closed", file, 1)


def expand_includes(lines: list[str], file: Path, first_line: int, stack=()) -> list[Line]:
    """Replace ``{{< include path >}}`` lines by the file's lines, keeping origins."""
    out: list[Line] = []
    fence = None
    for offset, text in enumerate(lines):
        lineno = first_line + offset
        m = _FENCE.match(text)
        if m:
            if fence is None:
                fence = m.group("fence")
            elif m.group("fence")[0] == fence[0] and len(m.group("fence")) >= len(fence) \
                    and not m.group("info"):
                fence = None
        inc = _INCLUDE.match(text) if fence is None else None
        if inc is None:
            out.append(Line(text, str(file), lineno))
            continue
        target = (file.parent / inc.group("path")).resolve()
        if target in stack or target == file.resolve():
            raise _problem("qmd-include-cycle", f"include cycle through {target.name}", str(file),
                           lineno, inc.group("path"))
        if not target.is_file():
            raise _problem("qmd-include-missing", "included file does not exist", str(file),
                           lineno, inc.group("path"))
        sub = target.read_text(encoding="utf-8").splitlines()
        out.extend(expand_includes(sub, target, 1, stack + (file.resolve(),)))
    return out


def parse_options(option_lines: list[Line], file: str) -> dict:
    """Parse the ``#|`` lines of a cell as YAML and check every key and type."""
    if not option_lines:
        return {}
    try:
        opts = yaml.safe_load("\n".join(ln.text for ln in option_lines)) or {}
    except yaml.YAMLError as err:
        raise _problem("qmd-cell-option", f"cell options are not valid YAML: {err}",
                       option_lines[0].file, option_lines[0].line)
    if not isinstance(opts, dict):
        raise _problem("qmd-cell-option", "cell options must be `key: value` lines",
                       option_lines[0].file, option_lines[0].line)
    for key, val in opts.items():
        where = next((ln for ln in option_lines if ln.text.lstrip("#| ").startswith(f"{key}:")),
                     option_lines[0])
        if key not in CELL_OPTIONS:
            raise _problem("qmd-unknown-option", f"cell option {key!r} is not supported by the "
                           "builtin engine", where.file, where.line, key)
        kind = CELL_OPTIONS[key]
        ok = (isinstance(val, bool) or val == "asis") if isinstance(kind, tuple) \
            else isinstance(val, kind)
        if kind is list:
            ok = ok and all(isinstance(t, str) for t in val)
        if not ok:
            raise _problem("qmd-option-type", f"cell option {key!r} has a value of the wrong kind",
                           where.file, where.line, val)
    return opts


def inline_expressions(text: str, file: str, line: int) -> list[tuple[str, str]]:
    """(start, end, expression) for each `` `{python} expr` `` code span in ``text``."""
    found = []
    pos = 0
    while True:
        m = _BACKTICKS.search(text, pos)
        if m is None:
            return found
        ticks = m.group(0)
        close = re.compile(r"(?<!`)" + ticks + r"(?!`)").search(text, m.end())
        if close is None:
            pos = m.end()
            continue
        content = text[m.end():close.start()]
        im = _INLINE.match(content.strip()) if content.strip().startswith("{") else None
        if im:
            lang = im.group("lang")
            if lang != "python":
                at = line + text[:m.start()].count("\n")
                raise _problem("qmd-inline-engine", f"inline code for engine {lang!r} is not "
                               "supported (only {python})", file, at, content)
            found.append((m.start(), close.end(), im.group("expr")))
        pos = close.end()


def _check_shortcodes(line: Line) -> None:
    for m in _SHORTCODE.finditer(line.text):
        raise _problem("qmd-shortcode", f"shortcode {m.group('name')!r} is not supported by the "
                       "builtin engine (only include, on its own line)", line.file, line.line,
                       m.group(0))


_RAW_HTML = re.compile(r"<!--|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


def _check_raw_html(line: Line) -> None:
    """Raw HTML (tags, comments) in the text: Quarto passes it through, the builtin engine
    does not read it, so it is refused by name rather than printed as text."""
    m = _RAW_HTML.search(line.text)
    if m:
        raise _problem("qmd-raw-html", "raw HTML is not supported by the builtin engine; "
                       "use Markdown", line.file, line.line,
                       m.group(0))


def _strip_code_spans(text: str) -> str:
    """Blank out inline code spans so shortcodes inside them are left alone."""
    return re.sub(r"(`+)(?:(?!\1).)+?\1", lambda m: " " * len(m.group(0)), text)


def _flush(md: list[Line], blocks: list) -> None:
    if not md:
        return
    text = "\n".join(ln.text for ln in md)
    blocks.append(Markdown(text, md[0].file, md[0].line,
                           inline_expressions(text, md[0].file, md[0].line)))
    md.clear()


def parse_lines(lines: list[Line]) -> list:
    """Split expanded lines into :class:`Markdown` and :class:`Cell` blocks."""
    blocks: list = []
    md: list[Line] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = _FENCE.match(ln.text)
        if m is None:
            bare = Line(_strip_code_spans(ln.text), ln.file, ln.line)
            _check_shortcodes(bare)
            _check_raw_html(bare)
            md.append(ln)
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info")
        end = i + 1
        while end < len(lines):
            c = _FENCE.match(lines[end].text)
            if c and c.group("fence")[0] == fence[0] and len(c.group("fence")) >= len(fence) \
                    and not c.group("info"):
                break
            end += 1
        if end == len(lines):
            raise _problem("qmd-fence", "code block is never closed", ln.file, ln.line, ln.text)
        ex = _EXEC_INFO.match(info)
        if ex is None:  # literal code, raw block ({=html}) or attributes ({.python})
            md.extend(lines[i:end + 1])
            i = end + 1
            continue
        if ex.group("lang") != "python":
            raise _problem("qmd-engine", f"executable cells for {ex.group('lang')!r} are not "
                           "supported (only {python})", ln.file, ln.line, info)
        if ex.group("rest").strip():
            raise _problem("qmd-cell-option", "options go in `#|` lines, not in the braces",
                           ln.file, ln.line, info)
        body = lines[i + 1:end]
        k = 0
        while k < len(body) and _OPTION.match(body[k].text):
            k += 1
        opt_lines = [Line(_OPTION.match(b.text).group("yaml"), b.file, b.line) for b in body[:k]]
        _flush(md, blocks)
        blocks.append(Cell("\n".join(b.text for b in body[k:]), parse_options(opt_lines, ln.file),
                           ln.file, ln.line))
        i = end + 1
    _flush(md, blocks)
    return blocks


def parse_text(text: str, file: str | Path) -> Document:
    path = Path(file)
    meta, body, first = split_front_matter(text, str(path))
    for key in meta:
        if key not in FRONT_MATTER:
            raise _problem("qmd-front-matter-key", f"front-matter key {key!r} is not supported by "
                           "the builtin engine", str(path), 1, key)
    lines = expand_includes(body, path, first)
    return Document(path, meta, parse_lines(lines))


def parse(path: str | Path) -> Document:
    """Read and parse a ``.qmd`` file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise _problem("qmd-read", f"cannot read the document: {err.strerror}", str(path), None)
    return parse_text(text, path)
