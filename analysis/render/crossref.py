"""Number figures, tables and sections and resolve ``@fig-``/``@tbl-``/``@sec-`` as Quarto does.

Figures and tables are numbered 1, 2, ... in document order, captions read
"Figure 1: ..." / "Table 1: ...", and a reference becomes a link "Figure 1". A
section reference shows "Section 2.1" when ``number-sections`` is on and the
section's title otherwise (Quarto >= 1.4). ``[-@fig-x]`` drops the prefix,
``[Fig. -@fig-x]`` supplies its own. A reference to a label that does not exist is
an error naming it.

Examples
--------
>>> md = "See @fig-a.\\n\\n![{{fig:fig-a}}Cap](a.png){#fig-a}\\n"
>>> print(resolve(md, number_sections=False).strip())
See [Figure 1](#fig-a).
<BLANKLINE>
![Figure 1: Cap](a.png){#fig-a}
"""

from __future__ import annotations

import re

from analysis.errors import InputError, Problem

PREFIX = {"fig": "Figure", "tbl": "Table", "sec": "Section"}
_LABEL = r"(?:fig|tbl|sec)-[A-Za-z0-9_-]*[A-Za-z0-9_]"
_MARKER = re.compile(r"\{\{(fig|tbl):(" + _LABEL + r")\}\}")
_NATIVE_FIG = re.compile(r"!\[(?!\{\{fig:)([^\]]*)\]\(([^)\s]+)\)\{#(fig-[A-Za-z0-9_-]+)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{([^{}]*)\})?\s*$")
_BRACKET = re.compile(r"\[([^\[\]@]*?)(-?)@(" + _LABEL + r")([^\[\]@]*)\]")
_BARE = re.compile(r"(?<![\w@/.\-\[])@(" + _LABEL + r")")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def _segments(text: str):
    """Yield (is_code, chunk): fenced blocks and inline code spans are code."""
    lines = text.split("\n")
    buf, fence = [], None
    for ln in lines:
        m = _FENCE.match(ln)
        if fence is None and m:
            if buf:
                yield from _split_spans("\n".join(buf) + "\n")
                buf = []
            fence = m.group(1)
            buf.append(ln)
        elif fence is not None:
            buf.append(ln)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not ln.strip()[len(m.group(1)):].strip():
                yield True, "\n".join(buf) + "\n"
                buf, fence = [], None
        else:
            buf.append(ln)
    if buf:
        if fence is not None:
            yield True, "\n".join(buf)
        else:
            yield from _split_spans("\n".join(buf))


def _split_spans(text: str):
    pos = 0
    for m in re.finditer(r"(`+)(?:(?!\1).)+?\1", text, re.S):
        yield False, text[pos:m.start()]
        yield True, m.group(0)
        pos = m.end()
    yield False, text[pos:]


def _headings(text: str, number_sections: bool) -> dict:
    """label -> reference text for every ``{#sec-...}`` heading."""
    counters = [0] * 6
    found = {}
    for is_code, chunk in _segments(text):
        if is_code:
            continue
        for ln in chunk.split("\n"):
            m = _HEADING.match(ln)
            if not m:
                continue
            level, title, attrs = len(m.group(1)), m.group(2), (m.group(3) or "")
            tokens = attrs.split()
            unnumbered = ".unnumbered" in tokens or "-" in tokens
            if not unnumbered:
                counters[level - 1] += 1
                counters[level:] = [0] * (6 - level)
            ident = next((t[1:] for t in tokens if t.startswith("#")), None)
            if ident and ident.startswith("sec-"):
                if number_sections and not unnumbered:
                    number = ".".join(str(c) for c in counters[:level])
                    found[ident] = f"Section {number}"
                else:
                    found[ident] = title
    return found


def number(text: str) -> tuple[str, dict]:
    """Replace caption markers by "Figure n: " / "Table n: "; return text and label->number."""
    text = _NATIVE_FIG.sub(lambda m: f"![{{{{fig:{m.group(3)}}}}}{m.group(1)}]({m.group(2)})"
                           f"{{#{m.group(3)}", text)
    numbers, counts = {}, {"fig": 0, "tbl": 0}

    def repl(m):
        kind, label = m.group(1), m.group(2)
        if label in numbers:
            raise InputError([Problem(rule="crossref-duplicate", message=f"label {label} is "
                                      "used twice", value=label)], summary="cannot render")
        counts[kind] += 1
        numbers[label] = counts[kind]
        return f"{PREFIX[kind]} {counts[kind]}: "

    return _MARKER.sub(repl, text), numbers


def resolve(text: str, number_sections: bool, file: str = "") -> str:
    """Number captions and turn every cross-reference into a link."""
    text, numbers = number(text)
    sections = _headings(text, number_sections)

    def target(label: str, bare: bool) -> str:
        kind = label.split("-", 1)[0]
        if kind == "sec":
            if label not in sections:
                raise _unknown(label, file)
            shown = sections[label]
            if bare and shown.startswith("Section "):
                shown = shown[len("Section "):]
            return shown
        if label not in numbers:
            raise _unknown(label, file)
        return str(numbers[label]) if bare else f"{PREFIX[kind]} {numbers[label]}"

    def bracket(m):
        before, minus, label, after = m.groups()
        shown = target(label, bool(minus))
        return f"[{before}{shown}{after}](#{label})"

    out = []
    for is_code, chunk in _segments(text):
        if is_code:
            out.append(chunk)
            continue
        chunk = _BRACKET.sub(bracket, chunk)
        # Bare references not already turned into links by the bracket form.
        chunk = _BARE.sub(lambda m: f"[{target(m.group(1), False)}](#{m.group(1)})", chunk)
        out.append(chunk)
    return "".join(out)


def _unknown(label: str, file: str) -> InputError:
    return InputError([Problem(rule="crossref-unknown", message=f"reference to {label}, which no "
                               "figure, table or section carries", file=file or None,
                               value=label)], summary="cannot render")
