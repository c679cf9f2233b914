"""Folding text to a terminal's width as terminals draw it: Japanese and English alike.

A full-width character takes two columns and a line may break between any two of them, as Japanese is
written; English breaks at spaces. Closing marks (、。）」) never start a line and opening marks (（「)
never end one (禁則). Used by the help (cli.KaijiHelpFormatter) and by explain.
"""

from __future__ import annotations

import re

from .table import width

NO_START = set("、。，．・：；？！ー）」』】〕〉》”’ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々…,.:;?!)]}")
NO_END = set("（「『【〔〈《“‘([{")
# A token: a run of spaces, a run of narrow non-space characters (an English word, a date, an option),
# or one wide character.
_TOKEN = re.compile(r"[ ]+|[^\s\u1100-\uffff]+|[\u1100-\uffff]")


def _tokens(text: str) -> list[str]:
    """Words and wide characters, with 禁則 marks glued to their neighbours so no break falls beside them."""
    out: list[str] = []
    glue_next = False
    for tok in _TOKEN.findall(text):
        if out and not tok.isspace() and not out[-1].isspace() and (glue_next or tok[0] in NO_START):
            out[-1] += tok
        else:
            out.append(tok)
        glue_next = not tok.isspace() and tok[-1] in NO_END
    return out


def fold(text: str, limit: int, first: str = "", rest: str = "") -> list[str]:
    """The lines of one paragraph folded to `limit` columns; `first` and `rest` are the lines' indents."""
    lines: list[str] = []
    line, used = first, width(first)
    bare = True   # nothing but the indent on the line yet
    for tok in _tokens(" ".join(text.split())):
        w = width(tok)
        if tok.isspace():
            if not bare:
                line, used = line + " ", used + 1
            continue
        if used + w > limit and not bare:
            lines.append(line.rstrip())
            line, used, bare = rest, width(rest), True
        while used + w > limit and bare and len(tok) > 1:   # a word longer than a line: cut it
            cut = 1
            while cut < len(tok) and used + width(tok[:cut + 1]) <= limit:
                cut += 1
            lines.append(line + tok[:cut])
            tok, line, used = tok[cut:], rest, width(rest)
            w = width(tok)
        line, used, bare = line + tok, used + w, False
    if not bare or not lines:
        lines.append(line.rstrip())
    return lines


def fold_paragraphs(text: str, limit: int, first: str = "", rest: str = "") -> str:
    """Click's paragraph rules (a blank line between paragraphs; a paragraph after a line holding only
    \\b is kept as written, indented), each paragraph folded with fold()."""
    paragraphs: list[tuple[int, bool, list[str]]] = []
    buf: list[str] = []
    indent: int | None = None

    def flush() -> None:
        if buf:
            raw = buf[0].strip() == "\b"
            paragraphs.append((indent or 0, raw, buf[1:] if raw else buf[:]))
            buf.clear()

    for line in text.expandtabs().splitlines():
        if not line.strip():
            flush()
            indent = None
            continue
        if indent is None:
            indent = len(line) - len(line.lstrip())
        buf.append(line.strip() if not buf or buf[0].strip() != "\b" else line)
    flush()
    out: list[str] = []
    for i, (extra, raw, lines) in enumerate(paragraphs):
        pad = " " * extra
        if raw:
            for j, ln in enumerate(lines):
                out += _fit_raw((first if i == 0 and j == 0 else rest) + pad + ln.rstrip(), limit)
        else:
            out += fold(" ".join(lines), limit, (first if i == 0 else rest) + pad, rest + pad)
        if i < len(paragraphs) - 1:
            out.append("")
    return "\n".join(out)


def _fit_raw(line: str, limit: int) -> list[str]:
    """A line kept as written, unless it is wider than the terminal: a command line (an example) then
    goes on after " \\" as a shell reads it, other text is folded under its own indent."""
    if width(line) <= limit:
        return [line]
    indent = line[:len(line) - len(line.lstrip())]
    body = line.strip()
    if body.startswith(("kaiji ", "--")):   # a command line: break between the shell's words, never inside a quoted one
        lines, current = [], indent
        for word in re.findall(r"""(?:"[^"]*"|'[^']*'|\S)+""", body):
            if current.strip() and width(current) + 1 + width(word) > limit - 2:
                lines.append(current + " \\")
                current = indent + "    "
            current += (" " if current.strip() else "") + word
        return lines + [current]
    return fold(body, limit, indent, indent)
