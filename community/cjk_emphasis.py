"""CJK-friendly emphasis for markdown-it-py.

CommonMark decides whether ``**`` opens or closes emphasis from the
characters either side of it (its "flanking" rule). That rule assumes words
are separated by spaces, so in Korean, where a particle follows the closing
``**`` without one, common sentences keep their asterisks:
``**증분 매출(홀드아웃 테스트)**로`` and ``**CPA 30%↓**로`` are literal text in
plain CommonMark, because ``)`` and ``↓`` are punctuation and ``로`` is not.

This module implements the emphasis part of the "CommonMark CJK-friendly
amendments" by Tatsunori Uchino (github.com/tats-u/markdown-cjk-friendly,
specification.md; the rule of its markdown-it plugin, ported): next to a CJK
character (Hangul, kana, Han, full-width forms), punctuation no longer
stops a delimiter run from opening or closing emphasis. Where no CJK
character is involved, the result is CommonMark's, example for example.

One addition for Korean, beyond the specification: a double ``__`` next to
a Hangul character opens or closes strong emphasis as ``**`` does
(``__밑줄 굵게__입니다``). The specification leaves ``_`` as CommonMark has
it, since a single ``_`` inside a word is usually part of a name
(``snake_case``, ``회의록_최종.hwp``); single ``_`` stays that way here.

Soft line breaks are left alone: Korean separates words with spaces, so a
line break between two Hangul words must keep them apart (packages that
join CJK lines without a space, as Japanese and Chinese want, are wrong for
Korean).

Use: ``MarkdownIt(...).use(cjk_emphasis)``. The plugin replaces the inline
rule that scans ``*`` and ``_`` runs; the rule that pairs them is upstream's.
"""

import bisect
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Delimiter, Scanned, StateInline

# "CJK character" of the specification (East Asian Width W, F or H and not
# an emoji by default, or script Hangul), as the ranges of its ranges.md
# for Unicode 17. A table rather than unicodedata: Python's Unicode version
# follows the interpreter's, and unicodedata knows neither scripts nor
# emoji presentation.
_CJK_RANGES = (
    (0x1100, 0x11FF), (0x20A9, 0x20A9), (0x2329, 0x232A), (0x2630, 0x2637),
    (0x268A, 0x268F), (0x2E80, 0x2E99), (0x2E9B, 0x2EF3), (0x2F00, 0x2FD5),
    (0x2FF0, 0x303E), (0x3041, 0x3096), (0x3099, 0x30FF), (0x3105, 0x312F),
    (0x3131, 0x318E), (0x3190, 0x31E5), (0x31EF, 0x321E), (0x3220, 0x3247),
    (0x3250, 0xA48C), (0xA490, 0xA4C6), (0xA960, 0xA97C), (0xAC00, 0xD7A3),
    (0xD7B0, 0xD7C6), (0xD7CB, 0xD7FB), (0xF900, 0xFAFF), (0xFE10, 0xFE19),
    (0xFE30, 0xFE52), (0xFE54, 0xFE66), (0xFE68, 0xFE6B), (0xFF01, 0xFFBE),
    (0xFFC2, 0xFFC7), (0xFFCA, 0xFFCF), (0xFFD2, 0xFFD7), (0xFFDA, 0xFFDC),
    (0xFFE0, 0xFFE6), (0xFFE8, 0xFFEE), (0x16FE0, 0x16FE4), (0x16FF0, 0x16FF6),
    (0x17000, 0x18CD5), (0x18CFF, 0x18D1E), (0x18D80, 0x18DF2),
    (0x1AFF0, 0x1AFF3), (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE),
    (0x1B000, 0x1B122), (0x1B132, 0x1B132), (0x1B150, 0x1B152),
    (0x1B155, 0x1B155), (0x1B164, 0x1B167), (0x1B170, 0x1B2FB),
    (0x1D300, 0x1D356), (0x1D360, 0x1D376), (0x1F200, 0x1F200),
    (0x1F202, 0x1F202), (0x1F210, 0x1F219), (0x1F21B, 0x1F22E),
    (0x1F230, 0x1F231), (0x1F237, 0x1F237), (0x1F23B, 0x1F23B),
    (0x1F240, 0x1F248), (0x1F260, 0x1F265), (0x20000, 0x3FFFD),
)  # fmt: skip
_CJK_STARTS = tuple(start for start, _ in _CJK_RANGES)

# Script Hangul: jamo, compatibility jamo, syllables, extended jamo.
_HANGUL_RANGES = (
    (0x1100, 0x11FF), (0x3131, 0x318E), (0xA960, 0xA97C), (0xAC00, 0xD7A3),
    (0xD7B0, 0xD7FB),
)  # fmt: skip

# U+2018/2019/201C/201D followed by U+FE01 are drawn full-width: a "CJK
# ambiguous punctuation sequence" in the specification.
_QUOTES = frozenset("\u2018\u2019\u201c\u201d")


def is_cjk(char: str) -> bool:
    code = ord(char)
    if code < 0x1100:
        return False
    index = bisect.bisect_right(_CJK_STARTS, code) - 1
    return index >= 0 and code <= _CJK_RANGES[index][1]


def is_hangul(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _HANGUL_RANGES)


def _is_variation_selector(char: str) -> bool:
    # Non-emoji general-use variation selectors (U+FE0F asks for emoji).
    return "\ufe00" <= char <= "\ufe0e"


def _is_ideographic_variation_selector(char: str) -> bool:
    return "\U000e0100" <= char <= "\U000e01ef"


def _is_punct(char: str) -> bool:
    return isMdAsciiPunct(ord(char)) or isPunctChar(char)


def scan_delims(state: StateInline, start: int, can_split_word: bool) -> Scanned:
    """StateInline.scanDelims with the CJK-friendly flanking rule:
    whether the run of ``*`` or ``_`` at ``start`` can open and close
    emphasis. ``can_split_word`` is true for ``*``."""
    src = state.src
    marker = src[start]
    # The beginning and the end of the line count as whitespace.
    last = src[start - 1] if start > 0 else " "
    # A variation selector belongs to the character before it, which is the
    # one that decides (unless that is a space).
    last_main = last
    two_back = None
    if _is_variation_selector(last):
        two_back = src[start - 2] if start > 1 else " "
        if unicodedata.category(two_back) != "Zs":
            last_main = two_back

    pos = start
    while pos < state.posMax and src[pos] == marker:
        pos += 1
    count = pos - start
    following = src[pos] if pos < state.posMax else " "

    last_space = isWhiteSpace(ord(last_main))
    next_space = isWhiteSpace(ord(following))
    if last_space or next_space:
        # Next to whitespace, CommonMark's answer stands, for * and _ alike.
        return Scanned(not next_space, not last_space, count)

    last_punct = _is_punct(last_main)
    next_punct = _is_punct(following)
    # With no whitespace either side, CommonMark's rules reduce to these
    # for "_" (a "_" inside a word neither opens nor closes).
    can_open = last_punct
    can_close = next_punct
    if can_split_word:
        either_cjk = is_cjk(following) or (
            is_cjk(two_back) or (last == "\ufe01" and two_back in _QUOTES)
            if two_back is not None
            else is_cjk(last) or _is_ideographic_variation_selector(last)
        )
        can_open = can_open or either_cjk or not next_punct
        can_close = can_close or either_cjk or not last_punct
    elif count >= 2:
        # Korean particles follow "__" as they follow "**" (see above).
        can_open = can_open or is_hangul(last_main)
        can_close = can_close or is_hangul(following)
    return Scanned(can_open, can_close, count)


def _tokenize(state: StateInline, silent: bool) -> bool:
    """markdown_it.rules_inline.emphasis.tokenize, scanning with
    scan_delims."""
    start = state.pos
    marker = state.src[start]
    if silent or marker not in ("_", "*"):
        return False
    scanned = scan_delims(state, start, marker == "*")
    for _ in range(scanned.length):
        token = state.push("text", "", 0)
        token.content = marker
        state.delimiters.append(
            Delimiter(
                marker=ord(marker),
                length=scanned.length,
                token=len(state.tokens) - 1,
                end=-1,
                open=scanned.can_open,
                close=scanned.can_close,
            )
        )
    state.pos += scanned.length
    return True


def cjk_emphasis(md: MarkdownIt) -> None:
    """markdown-it-py plugin: ``MarkdownIt(...).use(cjk_emphasis)``."""
    md.inline.ruler.at("emphasis", _tokenize)
