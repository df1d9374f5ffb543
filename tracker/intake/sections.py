"""The report's header (number, date, issuer, title, own period) and its priority section.

The priority section is found by meaning, not by its number: a heading of the form "<Roman or
Arabic number>. ... (NHIỆM VỤ|PHƯƠNG HƯỚNG|GIẢI PHÁP|CÔNG TÁC) ... (TRỌNG TÂM|THÁNG|QUÝ|NĂM|...)"
in any case, numbered I to X, 1 to 9 or not numbered (then upper-case or bold), that does not
look back ("KẾT QUẢ", "TÌNH HÌNH", "HẠN CHẾ"). When several qualify, the first one that speaks
of a period after the report's own wins; the parser says which one it took.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tracker.intake.periods import (
    PartialPeriod,
    ReportPeriod,
    find_partial_period,
    find_period,
)
from tracker.intake.text import ROMAN_NUMERALS, clean, fold, heading_key, is_bold_line, is_shouting

_NUMBERED = re.compile(
    r"^(?:phan\s+(?:thu\s+)?(?P<part>[a-z]+)\s*[.:)\-]?\s*"
    r"|(?P<roman>x|ix|viii|vii|vi|v|iv|iii|ii|i)\s*[.:)\-/]\s*"
    r"|(?P<arabic>[1-9])\s*[.:)/]\s+)(?P<rest>\S.*)$"
)
_TOPICAL = ("nhiem vu", "phuong huong", "giai phap", "cong tac", "ke hoach cong tac")
_TIMED = ("trong tam", "thang", "quy", "nam", "ke hoach", "thoi gian toi", "phuong huong",
          "sap toi", "tiep theo")
_BACKWARD = ("ket qua", "tinh hinh", "danh gia", "han che", "ton tai", "da thuc hien",
             "da dat", "nguyen nhan")
_DOCUMENT_NUMBER = re.compile(r"(?im)^[\W_]*số\s*:\s*([0-9]+\s*/\s*[0-9A-Za-zĐđ][^\s,;]*)")
_ISSUED_ON = re.compile(
    r"(?im)(?:^|,)[\s*_]*ngày\s+([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\s+năm\s+([0-9]{4})"
)
_ISSUER_LOCALITY = re.compile(
    r"^(?:thanh pho|tinh|xa|phuong|huyen|quan|thi xa|thi tran|dac khu)\b"
)
_ISSUER_BODY = re.compile(
    r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(?:thành phố|tỉnh|xã|phường|huyện|quận|"
    r"thị xã|thị trấn|đặc khu)(?P<name>(?:\s+\w+)+)"
)


@dataclass(frozen=True)
class Heading:
    index: int  # line index
    body_start: int
    text: str  # as written, cleaned
    number: str | None  # "III", "3" or None
    numbering: str  # "roman", "arabic", "none"
    period: ReportPeriod | None
    partial: PartialPeriod | None


def is_priority_heading(line: str) -> bool:
    if len(line) > 220 or not line.strip():
        return False
    key = heading_key(line)
    numbered = _NUMBERED.match(key)
    rest = numbered.group("rest") if numbered else key
    if numbered and numbered.group("part") and numbered.group("part") not in (
        "hai", "ii", "ba", "iii", "b", "c", "2", "3"
    ):
        return False
    if not numbered and not (is_shouting(line) or is_bold_line(line)):
        return False
    if numbered and numbered.group("arabic") and not (is_shouting(line) or is_bold_line(line)):
        return False  # "2. Nhiệm vụ ..." in running text is a task, not a section
    topical = any(word in rest for word in _TOPICAL)
    timed = any(word in rest for word in _TIMED)
    backward = any(word in rest for word in _BACKWARD)
    if not (topical and timed) or backward:
        return False
    return not line.rstrip().endswith((".", ";")) or line.rstrip().endswith("...")


def find_headings(lines: list[str]) -> list[Heading]:
    out = []
    for index, line in enumerate(lines):
        if not is_priority_heading(line):
            continue
        key = heading_key(line)
        body_start = index + 1
        period = find_period(key)
        partial = find_partial_period(key) if period is None else None
        if period is None and (partial is None or not partial.relative):
            # "... TRONG" / "THÁNG 03/2023" split over two lines by a soft line break.
            nxt = next((j for j in range(index + 1, min(index + 3, len(lines)))
                        if lines[j].strip()), None)
            if nxt is not None and re.match(r"^(?:trong\s+)?(?:thang|quy|nam)\s*[0-9ivx]",
                                            heading_key(lines[nxt])):
                joined = f"{key} {heading_key(lines[nxt])}"
                period = find_period(joined)
                partial = find_partial_period(joined) if period is None else None
                body_start = nxt + 1
                line = f"{line.rstrip()} {lines[nxt].strip()}"
        numbered = _NUMBERED.match(key)
        if numbered and numbered.group("roman"):
            number, numbering = numbered.group("roman").upper(), "roman"
        elif numbered and numbered.group("part"):
            number, numbering = numbered.group("part").upper(), "roman"
        elif numbered:
            number, numbering = numbered.group("arabic"), "arabic"
        else:
            number, numbering = None, "none"
        text = clean(re.sub(r"^[#>\s]+", "", line)).rstrip(":")
        out.append(Heading(index, body_start, text, number, numbering, period, partial))
    return out


def choose_heading(headings: list[Heading], own: ReportPeriod | None) -> Heading | None:
    """The heading that speaks of the coming period; Roman-numbered ones before others."""
    if not headings:
        return None

    def forward(heading: Heading) -> bool:
        if heading.period is not None:
            return own is None or heading.period.start > own.start
        return heading.partial is not None and heading.partial.relative

    rank = {"roman": 0, "none": 1, "arabic": 2}

    def key(heading: Heading) -> tuple:
        # The nearest coming period first, then the most precise ("THÁNG 7" before "6 THÁNG
        # CUỐI NĂM", both starting in July).
        period = heading.period
        when = (period.start.toordinal(), period.months) if period is not None else (0, 0)
        return (not forward(heading), when if forward(heading) else (0, 0),
                rank[heading.numbering], heading.index)

    return min(headings, key=key)


def document_number(preamble: str) -> str | None:
    match = _DOCUMENT_NUMBER.search(preamble)
    if not match:
        return None
    return re.sub(r"\s+", "", match.group(1)).rstrip(".")


def issued_on(preamble: str, warnings: list[str]) -> dt.date | None:
    match = _ISSUED_ON.search(preamble)
    if not match:
        return None
    day, month, year = (int(group) for group in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        warnings.append(f"Ngày ban hành không hợp lệ ({day:02d}/{month:02d}/{year}); đã bỏ qua.")
        return None


def report_title(preamble: list[str]) -> str | None:
    """The trích yếu: the line(s) after "BÁO CÁO" up to a blank line."""
    for index, line in enumerate(preamble):
        if heading_key(line) != "bao cao":
            continue
        parts: list[str] = []
        for following in preamble[index + 1 :]:
            if not following.strip():
                if parts:
                    break
                continue
            if len(parts) == 1 and not parts[0].rstrip().endswith(("-", "và")) and (
                re.match(r"^[IVX]+\.|^[0-9]+\.|^(?:Kính gửi|Căn cứ|Thực hiện)", following.strip())
                or not following.strip()[:1].islower()
            ):
                break
            parts.append(following.strip())
            if len(parts) == 2:
                break
        candidate = clean(" ".join(parts))
        if candidate and len(candidate) <= 300 and not re.match(r"^[0-9IVX]+\.", candidate):
            return candidate
        return None
    return None


def issuer(preamble: list[str]) -> str | None:
    """The issuing body as the header writes it ("ỦY BAN NHÂN DÂN THÀNH PHỐ TRÀ VINH").

    Without a header block, the first "UBND <level> <Name>" of the opening paragraph.
    """
    for index, line in enumerate(preamble[:30]):
        left = re.split(r"\s{2,}|\t|\|", line.strip().strip("*_ "))[0].strip("*_ ")
        key = fold(left)
        if not re.match(r"^(?:uy ban nhan dan|ubnd)\b", key):
            continue
        if re.match(r"^(?:uy ban nhan dan|ubnd)\s+\S", key):
            return left
        for following in preamble[index + 1 : index + 3]:
            part = re.split(r"\s{2,}|\t|\|", following.strip().strip("*_ "))[0].strip("*_ ")
            if _ISSUER_LOCALITY.match(fold(part)):
                return f"{left} {part}"
            if part:
                break
        return left
    text = " ".join(line.strip() for line in preamble[:60])
    for match in _ISSUER_BODY.finditer(text):
        name = []
        for word in match.group("name").split():
            if not (word[:1].isupper() or word[:1].isdigit()):
                break
            name.append(word)
        if name:
            end = match.start("name") + len(match.group("name").split(name[-1], 1)[0])
            return f"{text[match.start() : end]}{name[-1]}"
    return None


def own_period(title: str | None, preamble: list[str]) -> ReportPeriod | None:
    """The period the report itself covers: named in its title, else in its first heading."""
    if title:
        found = find_period(fold(title))
        if found is not None:
            return _shared_year(fold(title), found)
    for line in preamble:
        key = heading_key(line)
        if re.match(r"^(?:i|1)\s*[.:)]", key) and any(w in key for w in ("ket qua", "tinh hinh")):
            found = find_period(key)
            if found is not None:
                return found
    return None


def _shared_year(folded: str, found: ReportPeriod) -> ReportPeriod:
    """ "quý III và phương hướng, nhiệm vụ quý IV năm 2025": a period named first without its
    year is the report's own and takes the year of the one after it."""
    partial = find_partial_period(folded)
    if partial is None or partial.relative or partial.kind != found.kind:
        return found
    if partial.number == (found.number or None):
        return found
    try:
        earlier = ReportPeriod(found.kind, found.year, partial.number)
    except ValueError:
        return found
    if earlier.start > found.start:  # "tháng 12 và ... tháng 01 năm 2024": December 2023
        earlier = ReportPeriod(found.kind, found.year - 1, partial.number)
    return earlier


def is_end(line: str, heading: Heading) -> bool:
    """Where the priority section ends: the closing sentence, "Nơi nhận", the signature, or
    the next heading of the same numbering (e.g. "IV. ĐỀ XUẤT, KIẾN NGHỊ" after "III.")."""
    key = heading_key(line)
    if re.match(r"^(?:tren day\b|noi nhan\b)", key):
        return True
    if re.match(r"^(?:tm|kt|tl|tuq|q)\s*\.\s*(?:uy ban|chu tich|ubnd)", key):
        return True
    if key in ("chu tich", "pho chu tich", "kt chu tich"):
        return True
    stripped = re.sub(r"^(?:\*\*|__|#+\s*)", "", line.strip())
    roman = re.match(r"^(X|IX|VIII|VII|VI|V|IV|III|II|I)\s*[.:)\-]\s*\S", stripped)
    if roman:
        return ROMAN_NUMERALS[roman.group(1)] != ROMAN_NUMERALS.get(heading.number or "", -1)
    if re.match(r"^PHẦN\s+", stripped):
        return True
    if heading.numbering == "arabic" and heading.number is not None:
        arabic = re.match(r"^([1-9])\s*[.)]\s+\S", stripped)
        if arabic and int(arabic.group(1)) > int(heading.number) and (
            is_shouting(line) or is_bold_line(line)
        ):
            return True
    closing = re.match(r"^(?:de xuat|kien nghi|to chuc thuc hien|phu luc)", key)
    return bool(is_shouting(line) and closing)
