"""SVG pictures drawn in Python from what server/site/views.py collects: no scripts, no external resources.

- ``episode_timeline(items, lang)``: the whole episode, February 1955 to 1960, from ``views.episode_items``,
  with June 1957 drawn day by day in an inset below;
- ``vote_chart(vote, lang)``: one vote event from ``views.vote_view``, a bar per option with one cell per vote
  and the voters the source names;
- ``person_posts(timeline, lang)``: a person's posts and memberships from ``views.person_timeline`` as bars.

Each returns a standalone, well-formed SVG document as a string (``xmlns`` set, text escaped), usable inline
in HTML or served as ``image/svg+xml``. Bars whose bound is unknown fade out towards the edge (dashed
outline); resources under the dataset base are linked (``<a href="/id/...">``).
"""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape, quoteattr

from kg import i18n

from .views import page_href

SVG_NS = "http://www.w3.org/2000/svg"
EPISODE = ("1955-02-01", "1960-12-31")
ZOOM = ("1957-06-01", "1957-06-30")

COLOURS = {
    "event": "#4a6fa5",
    "speech": "#8a5a9e",
    "vote": "#b5533c",
    "holding": "#3c8d5a",
    "membership": "#7a8f2a",
    "decision": "#c08a1e",
    "post": "#3c8d5a",
}
_FONT = 'font-family="system-ui, sans-serif"'
_HALO = 'paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"'
_CHAR = 6.1  # average width of a character at font-size 11, for placing labels


def _w(lang: str, key: str) -> str:
    return i18n.strings(lang, "picture")[key]


def _day(iso: str | None) -> int | None:
    """Days since 0001-01-01 of an ISO date (a year or year-month counts from its first day)."""
    if not iso:
        return None
    parts = (iso.split("T")[0] + "-01-01").split("-")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])).toordinal()
    except (ValueError, IndexError):
        return None


def _t(text, limit: int | None = None) -> str:
    text = str(text)
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return escape(text)


def _a(value) -> str:
    return quoteattr(str(value))


def _document(width: int, height: int, title: str, body: list[str], desc: str | None = None) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" {_FONT} font-size="11">'
        f"<title>{_t(title)}</title>"
        + (f"<desc>{_t(desc)}</desc>" if desc else "")
        + "".join(body)
        + "</svg>"
    )


def _linked(link: dict | None, inner: str, lang: str) -> str:
    """``inner`` inside an ``<a>`` to the link's local path (keeping the language); external or missing links
    are not linked."""
    if link and link.get("href") and not link.get("external"):
        marked = f" lang={_a(link['lang'])}" if link.get("lang") else ""  # a label in another language
        return f"<a href={_a(page_href(link['href'], lang))}{marked}>{inner}</a>"
    return inner


class _Scale:
    def __init__(self, start: str, end: str, x0: float, x1: float):
        self.d0, self.d1 = _day(start), _day(end)
        self.x0, self.x1 = x0, x1

    def x(self, day: int) -> float:
        day = min(max(day, self.d0), self.d1)
        return round(self.x0 + (day - self.d0) * (self.x1 - self.x0) / max(self.d1 - self.d0, 1), 1)

    def overlaps(self, nb: int | None, na: int | None) -> bool:
        return (
            (nb is None or nb <= self.d1)
            and (na is None or na >= self.d0)
            and (nb is not None or na is not None)
        )


def _year_axis(scale: _Scale, y: float, height: float) -> list[str]:
    out = [f'<line x1="{scale.x0}" y1="{y}" x2="{scale.x1}" y2="{y}" stroke="#333"/>']
    first, last = date.fromordinal(scale.d0), date.fromordinal(scale.d1)
    for year in range(first.year, last.year + 1):
        for month in range(1, 13):
            d = date(year, month, 1).toordinal()
            if not scale.d0 <= d <= scale.d1:
                continue
            x = scale.x(d)
            if month == 1:
                out.append(f'<line x1="{x}" y1="{y - height}" x2="{x}" y2="{y + 4}" stroke="#bbb"/>')
                out.append(f'<text x="{x + 2}" y="{y + 14}">{year}</text>')
            else:
                out.append(f'<line x1="{x}" y1="{y}" x2="{x}" y2="{y + 3}" stroke="#999"/>')
    return out


def _day_axis(scale: _Scale, y: float, height: float) -> list[str]:
    out = [f'<line x1="{scale.x0}" y1="{y}" x2="{scale.x1}" y2="{y}" stroke="#333"/>']
    step = (scale.x1 - scale.x0) / max(scale.d1 - scale.d0, 1)
    for d in range(scale.d0, scale.d1):
        x = scale.x(d)
        day = date.fromordinal(d)
        major = day.day in (1, 5, 10, 15, 18, 20, 21, 22, 25, 29, 30)
        out.append(f'<line x1="{x}" y1="{y}" x2="{x}" y2="{y + (4 if major else 2)}" stroke="#999"/>')
        if major:
            out.append(
                f'<text x="{round(x + step / 2, 1)}" y="{y + 14}" text-anchor="middle">{day.day}</text>'
            )
        if day.weekday() == 6:  # Sundays lightly shaded
            out.append(
                f'<rect x="{x}" y="{y - height}" width="{round(step, 1)}" height="{height}" fill="#f3f3f3"/>'
            )
    return out


def hatch_defs(prefix: str) -> str:
    """Hatch patterns, one per colour, for spans whose dates are known only to the month or year (ids
    ``{prefix}-hatch-{kind}``: unique per picture, as several pictures share a page)."""
    out = []
    for kind, colour in COLOURS.items():
        out.append(
            f'<pattern id="{prefix}-hatch-{kind}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{colour}" fill-opacity="0.12"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="2.5" stroke-opacity="0.7"/>'
            "</pattern>"
        )
    return "<defs>" + "".join(out) + "</defs>"


def _bar(
    scale: _Scale,
    nb: int | None,
    na: int | None,
    y: float,
    h: float,
    colour: str,
    day_cells: bool = False,
    *,
    exact_start: bool | None = None,
    exact_end: bool | None = None,
    hatch: str | None = None,
) -> list[str]:
    """A bar from nb to na (the xsd:date bounds). Both ends known to the day: solid. An end known only to
    the month or year, or only bounded by what the item followed: the whole span hatched (``hatch``: the
    pattern id), the item lies somewhere in it. An unknown bound runs to the chart's edge, dashed and faded.
    A day-exact end is marked solid. (``exact_*`` None: as before, a known bound counts as exact.)"""
    exact_start = nb is not None if exact_start is None else exact_start and nb is not None
    exact_end = na is not None if exact_end is None else exact_end and na is not None
    start = scale.x(nb) if nb is not None else scale.x0
    end_day = na + 1 if (na is not None and day_cells) else na
    end = scale.x(end_day) if end_day is not None else scale.x1
    width = max(end - start, 3)
    if exact_start and exact_end:
        return [f'<rect x="{start}" y="{y}" width="{round(width, 1)}" height="{h}" fill="{colour}" rx="2"/>']
    uncertain = hatch and nb is not None and na is not None
    if hatch and (not exact_start and nb is not None or not exact_end and na is not None):
        uncertain = True
    fill = f'fill="url(#{hatch})"' if uncertain else f'fill="{colour}" fill-opacity="0.35"'
    out = [
        f'<rect x="{start}" y="{y}" width="{round(width, 1)}" height="{h}" {fill} '
        f'stroke="{colour}" stroke-dasharray="3 2" rx="2" class="{"uncertain" if uncertain else "open"}"/>'
    ]
    # the ends known to the day drawn solid
    if exact_start:
        out.append(f'<rect x="{start}" y="{y}" width="3" height="{h}" fill="{colour}"/>')
    if exact_end:
        out.append(f'<rect x="{round(end - 3, 1)}" y="{y}" width="3" height="{h}" fill="{colour}"/>')
    return out


def _when(item: dict, words: dict | None) -> str:
    """The tooltip's dates: each end as the source gives it with its precision, and the bounds drawn."""
    w = words or {}

    def one(date):
        if not date:
            return w.get("undated", "not stated")
        precision = date["precision"] or "none"
        return f"{date['text']} ({w.get('precision_' + precision, precision)})"

    nb, na = item.get("not_before") or "…", item.get("not_after") or "…"
    if "start" not in item and "end" not in item:
        return f"{nb} – {na}"
    start, end = item.get("start"), item.get("end")
    given = one(start) if start == end else f"{one(start)} – {one(end)}"
    between = w.get("drawn_between", "drawn between {nb} and {na}").format(nb=nb, na=na)
    return f"{given}; {between}"


def _rows(
    scale: _Scale,
    items: list[dict],
    y0: float,
    row: float,
    day_cells: bool,
    lang: str,
    words: dict | None = None,
    prefix: str = "tl",
) -> list[str]:
    out = []
    for i, item in enumerate(items):
        nb, na = _day(item.get("not_before")), _day(item.get("not_after"))
        y = y0 + i * row
        colour = COLOURS.get(item.get("kind"), "#666")
        hatch = f"{prefix}-hatch-{item.get('kind')}" if item.get("kind") in COLOURS else None
        precise = {}
        if "start" in item or "end" in item:
            precise = {"exact_start": _exact(item.get("start")), "exact_end": _exact(item.get("end"))}
        out.extend(_bar(scale, nb, na, y + 2, row - 5, colour, day_cells, hatch=hatch, **precise))
        start = scale.x(nb) if nb is not None else scale.x0
        end = scale.x((na + (1 if day_cells else 0)) if na is not None else scale.d1)
        label = item["link"]["label"] if item.get("link") else item.get("label", "")
        title = f"{label} ({_when(item, words)})"
        short = label if len(label) <= 70 else label[:69].rstrip() + "…"
        need = _CHAR * len(short) + 6
        if na is not None and end + need < scale.x1:
            x, anchor = end + 4, "start"
        elif start - need > scale.x0:
            x, anchor = start - 4, "end"
        else:
            x, anchor = max(start, scale.x0) + 6, "start"
        text = (
            f'<text x="{round(x, 1)}" y="{y + row - 4}" text-anchor="{anchor}" fill="#111" {_HALO}>'
            f"{_t(short)}</text>"
        )
        out.append(_linked(item.get("link"), f"<g><title>{_t(title)}</title>{text}</g>", lang))
    return out


def _exact(date: dict | None) -> bool:
    return bool(date) and date.get("precision") == "day"


def episode_timeline(
    items: list[dict],
    lang: str = "en",
    *,
    span: tuple[str, str] = EPISODE,
    zoom: tuple[str, str] = ZOOM,
    width: int = 960,
    words: dict | None = None,
    undated: list[dict] | None = None,
) -> str:
    """The episode: items (``views.episode_items``: link, kind, not_before, not_after, start, end) as bars
    over ``span``; the items that fall in ``zoom`` (June 1957) are drawn again below on a day scale. Items
    that lie wholly inside ``zoom`` appear only in the inset. Dates known only to the month or year are
    hatched spans between their bounds (the precision in each tooltip); ``undated`` (``views.undated_items``)
    are listed in a row of their own under the legend, not on the axis. ``words``: the interface words
    (server/site/pages.py ``strings``)."""
    w = words or {}
    row, left, right = 16, 10, width - 10
    main_scale = _Scale(*span, left, right)
    zoom_scale = _Scale(zoom[0], date.fromordinal(_day(zoom[1]) + 1).isoformat(), left, right)
    dated = [i for i in items if i.get("not_before") or i.get("not_after")]
    z0, z1 = _day(zoom[0]), _day(zoom[1])

    def inside(i):
        nb, na = _day(i.get("not_before")), _day(i.get("not_after"))
        return nb is not None and na is not None and z0 <= nb and na <= z1

    main = [
        i
        for i in dated
        if not inside(i) and main_scale.overlaps(_day(i.get("not_before")), _day(i.get("not_after")))
    ]
    detail = [
        i
        for i in dated
        if any(b is not None and z0 <= b <= z1 for b in (_day(i.get("not_before")), _day(i.get("not_after"))))
    ]
    body = [
        hatch_defs("tl"),
        f'<rect width="{width}" height="100%" fill="#fff"/>',
        f'<text x="{left}" y="16" font-size="14" font-weight="600">{_t(_w(lang, "episode"))}</text>',
    ]
    top = 28
    main_h = max(len(main), 1) * row
    zx0, zx1 = main_scale.x(z0), main_scale.x(z1 + 1)
    body.append(
        f'<rect x="{zx0}" y="{top}" width="{round(max(zx1 - zx0, 2), 1)}" height="{main_h}" fill="#fde9b8"/>'
    )
    body.extend(_rows(main_scale, main, top, row, False, lang, w))
    if not main:
        body.append(f'<text x="{left}" y="{top + 12}" fill="#666">{_t(_w(lang, "no_items"))}</text>')
    axis_y = top + main_h + 4
    body.extend(_year_axis(main_scale, axis_y, main_h + 4))
    body.append(f'<text x="{zx0}" y="{axis_y + 28}" fill="#8a6100">▲ {_t(_w(lang, "zoomed"))}</text>')
    inset_top = axis_y + 48
    inset_h = max(len(detail), 1) * row + 8
    # the zoom lines from the June band down to the inset
    body.append(
        f'<path d="M{zx0} {axis_y} L{left} {inset_top - 4} M{zx1} {axis_y} L{right} {inset_top - 4}" '
        f'stroke="#e0b84a" fill="none" stroke-dasharray="2 3"/>'
    )
    body.append(
        f'<rect x="{left}" y="{inset_top - 4}" width="{right - left}" height="{inset_h + 8}" fill="#fffaf0" '
        f'stroke="#e0b84a"/>'
    )
    body.append(
        f'<text x="{left + 4}" y="{inset_top + 8}" font-weight="600" fill="#8a6100">'
        f"{_t(_w(lang, 'june'))}</text>"
    )
    axis = _day_axis(zoom_scale, inset_top + inset_h + 14, inset_h + 10)
    body.extend(g for g in axis if g.startswith("<rect"))  # Sunday shading under the bars
    body.extend(_rows(zoom_scale, detail, inset_top + 18, row, True, lang, w))
    body.extend(g for g in axis if not g.startswith("<rect"))
    legend_y = inset_top + inset_h + 44
    x = left
    for kind in ("event", "speech", "vote", "decision", "holding", "membership"):
        body.append(
            f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{COLOURS[kind]}"/>'
            f'<text x="{x + 14}" y="{legend_y}">{_t(_w(lang, kind))}</text>'
        )
        x += 24 + 7 * len(_w(lang, kind))
    legend_y += 18
    samples = (
        ("precise", f'fill="{COLOURS["event"]}"', w.get("legend_exact", "dates known to the day")),
        ("uncertain", 'fill="url(#tl-hatch-event)" stroke="#4a6fa5" stroke-dasharray="3 2"',
         w.get("legend_uncertain", "known only to the month or year: somewhere in the hatched span")),
        ("open", 'fill="#4a6fa5" fill-opacity="0.35" stroke="#4a6fa5" stroke-dasharray="3 2"',
         w.get("legend_open", "a bound not stated: runs to the edge")),
    )
    x = left
    for name, paint, text in samples:
        body.append(
            f'<g class="legend-{name}">'
            f'<rect x="{x}" y="{legend_y - 9}" width="22" height="10" {paint} rx="2"/>'
            f'<text x="{x + 26}" y="{legend_y}">{_t(text)}</text></g>'
        )
        x += 36 + _CHAR * len(text)
    if undated:
        legend_y += 24
        body.append(
            f'<text x="{left}" y="{legend_y}" font-weight="600" id="tl-undated">'
            f'{_t(w.get("undated_row", "Not dated by the source (not placed on the axis)"))}:</text>'
        )
        x, legend_y = right + 1, legend_y  # the first chip opens a new line
        for u in undated:
            label = _t(u["link"]["label"], 60)
            need = _CHAR * len(u["link"]["label"][:60]) + 14
            if x + need > right:
                x, legend_y = left, legend_y + 18
            chip = (
                f'<g class="undated"><title>{_t(u["link"]["label"])}</title>'
                f'<rect x="{x}" y="{legend_y - 11}" width="{round(need - 4, 1)}" height="15" rx="7" '
                f'fill="#f3f3f3" stroke="#999" stroke-dasharray="2 2"/>'
                f'<text x="{x + 5}" y="{legend_y}" fill="#1a4f8a">{label}</text></g>'
            )
            body.append(_linked(u["link"], chip, lang))
            x += need + 4
    return _document(width, legend_y + 12, _w(lang, "episode"), body)


def vote_chart(vote: dict, lang: str = "en", *, width: int = 640) -> str:
    """A vote (``views.vote_view``): per option a bar of one cell per vote, the named voters' cells dark and
    their names below the bar; the count at the end of the bar."""
    counts = vote.get("counts", [])
    cell, gap, left = 22, 2, 90
    most = max([c["value"] for c in counts] + [1])
    cell = min(cell, (width - left - 60) // most - gap)
    colours = {"yes": "#3c8d5a", "no": "#b5533c", "abstain": "#999999", "absent": "#cccccc"}
    title = vote.get("label") or (vote.get("link") or {}).get("label") or _w(lang, "vote")
    marked = f" lang={_a(vote['link']['lang'])}" if (vote.get("link") or {}).get("lang") else ""
    body = [
        f'<rect width="{width}" height="100%" fill="#fff"/>',
        f'<text x="10" y="16" font-size="13" font-weight="600"{marked}>{_t(title, 95)}</text>',
    ]
    y = 30
    for c in counts:
        colour = colours.get(c["option"], "#4a6fa5")
        body.append(f'<text x="10" y="{y + 15}" font-weight="600">{_t(c["option_label"])}</text>')
        named = c.get("voters", [])
        for k in range(c["value"]):
            x = left + k * (cell + gap)
            who = named[k] if k < len(named) else None
            tip = who["label"] if who else _w(lang, "unnamed")
            rect = (
                f'<rect x="{x}" y="{y}" width="{cell}" height="20" fill="{colour}" '
                f'fill-opacity="{1 if who else 0.45}"><title>{_t(tip)}</title></rect>'
            )
            body.append(_linked(who, rect, lang) if who else rect)
        body.append(
            f'<text x="{left + c["value"] * (cell + gap) + 6}" y="{y + 15}" font-weight="600">'
            f"{c['value']}</text>"
        )
        y += 26
        if named:
            lines, line, used = [], [], _CHAR * (len(_w(lang, "named")) + 2)
            for k, v in enumerate(named):
                text = v["label"] + ("," if k < len(named) - 1 else "")
                if line and used + _CHAR * (len(text) + 1) > width - left - 10:
                    lines.append(line)
                    line, used = [], 0
                line.append(
                    _linked(v, f'<tspan fill="#1a4f8a">{_t(v["label"])}</tspan>', lang)
                    + text[len(v["label"]) :]
                )
                used += _CHAR * (len(text) + 1)
            if c.get("unnamed"):
                line.append(f'<tspan fill="#666">(+{c["unnamed"]} {_t(_w(lang, "unnamed"))})</tspan>')
            lines.append(line)
            for n, spans in enumerate(lines):
                head = f"{_t(_w(lang, 'named'))}: " if n == 0 else ""
                body.append(
                    f'<text x="{left}" y="{y + 8 + 15 * n}" fill="#333">{head}{" ".join(spans)}</text>'
                )
            y += 15 * (len(lines) - 1)
            y += 18
        y += 6
    if vote.get("result_label"):
        body.append(
            f'<text x="10" y="{y + 10}" fill="#333">{_t(vote["result_label"])} '
            f"({vote.get('total', 0)} {_t(_w(lang, 'votes'))})</text>"
        )
        y += 16
    return _document(width, y + 6, title, body)


def person_posts(
    timeline: list[dict],
    lang: str = "en",
    *,
    span: tuple[str, str] = EPISODE,
    width: int = 720,
    title: str | None = None,
    words: dict | None = None,
) -> str:
    """A person's posts and memberships (``views.person_timeline``) as bars over ``span``; an entry without
    any date runs dashed across the whole span, marked as undated; an end known only to the month or year
    makes the bar a hatched span between its bounds (the precision in the tooltip)."""
    row, left, right = 18, 10, width - 10
    scale = _Scale(*span, left, right)
    body = [
        hatch_defs("pp"),
        f'<rect width="{width}" height="100%" fill="#fff"/>',
        f'<text x="{left}" y="16" font-size="13" font-weight="600">{_t(title or _w(lang, "posts"))}</text>',
    ]
    top = 26
    items = []
    for e in timeline:
        label = e.get("title") or (e.get("link") or {}).get("label", "")
        if not e.get("not_before") and not e.get("not_after"):
            label = f"{label} ({_w(lang, 'undated')})"
        items.append(
            {
                "link": e.get("link"),
                "label": label,
                "kind": "holding" if e.get("kind") == "post" else "membership",
                "not_before": e.get("not_before"),
                "not_after": e.get("not_after"),
                "start": e.get("start_date"),
                "end": e.get("end_date"),
            }
        )
    for i, item in enumerate(items):
        y = top + i * row
        nb, na = _day(item["not_before"]), _day(item["not_after"])
        colour = COLOURS[item["kind"]]
        if nb is None and na is None:
            body.append(
                f'<rect x="{left}" y="{y + 2}" width="{right - left}" height="{row - 5}" fill="{colour}" '
                f'fill-opacity="0.15" stroke="{colour}" stroke-dasharray="2 3" rx="2"/>'
            )
        else:
            body.extend(
                _bar(scale, nb, na, y + 2, row - 5, colour, hatch=f"pp-hatch-{item['kind']}",
                     exact_start=_exact(item["start"]), exact_end=_exact(item["end"]))
            )
        text = f'<text x="{left + 6}" y="{y + row - 5}" fill="#111" {_HALO}>{_t(item["label"], 90)}</text>'
        tip = f"{item['label']} ({_when(item, words)})"
        body.append(_linked(item["link"], f"<g><title>{_t(tip)}</title>{text}</g>", lang))
    height = max(len(items), 1) * row
    if not items:
        body.append(f'<text x="{left}" y="{top + 12}" fill="#666">{_t(_w(lang, "no_items"))}</text>')
    body.extend(_year_axis(scale, top + height + 4, height + 4))
    return _document(width, top + height + 26, title or _w(lang, "posts"), body)


SIDE_STYLE = {  # fill, text colour, stroke
    "against": ("#b5533c", "#fff", "#b5533c"),
    "for": ("#3c8d5a", "#fff", "#3c8d5a"),
    "changed": ("#c08a1e", "#fff", "#c08a1e"),
    "target": ("#fff", "#222", "#555"),
    "other": ("#4a6fa5", "#fff", "#4a6fa5"),
}


def _wrap(text: str, chars: int, lines: int = 2) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > chars:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(chars - 1, 1)].rstrip() + "…"
    return out


def standing_chart(view: dict, lang: str = "en", *, words: dict, current: str | None = None,
                   width: int = 1000) -> str:
    """Who stood where (``standing.standing_view``): a row per person, a column per step; in each cell the
    person's marks as chips coloured by side (one chip per kind of mark: several statements of the same kind
    share it, all named in its tooltip), each linked to its fact's page, with its sentence ids linked to the
    sentences' pages; "not stated" where the source says nothing. ``current``: a session whose columns are
    highlighted (the page it is shown on). Text only through ``words`` (pages.strings)."""
    steps, rows = view["steps"], view["rows"]
    name_w, left, chip_h, gap, size = 150, 10, 16, 3, 10
    col_w = (width - name_w - left * 2) / max(len(steps), 1)
    chars = int((col_w - 8) / 5.6)
    body = [f'<rect width="{width}" height="100%" fill="#fff"/>',
            f'<text x="{left}" y="16" font-size="14" font-weight="600">{_t(words["standing_title"])}</text>']
    top, head_h = 26, 44
    heights = []
    for r in rows:
        n = max([len(_chips(cell)) for cell in r["cells"]] + [1])
        heights.append(max(n * (chip_h + gap) + 5, 30))
    grid_h = sum(heights)
    for i, st in enumerate(steps):
        x = left + name_w + i * col_w
        here = current and (st["session"] == current or st["resource"] == current)
        if here:
            body.append(f'<rect x="{round(x, 1)}" y="{top}" width="{round(col_w, 1)}" '
                        f'height="{head_h + grid_h}" fill="#fff3c4" class="current"/>')
        tx = round(x + 4, 1)
        head = f'<text x="{tx}" y="{top + 12}" font-weight="600">{_t(st["title"])}</text>' + "".join(
            f'<text x="{tx}" y="{top + 25 + 11 * k}" font-size="{size}" fill="#444">{_t(line)}</text>'
            for k, line in enumerate(_wrap(st["sub"], chars))
        )
        body.append(_linked(st["link"], f'<g class="step"><title>{_t(st["label"])}</title>{head}</g>', lang))
        body.append(f'<line x1="{round(x, 1)}" y1="{top}" x2="{round(x, 1)}" y2="{top + head_h + grid_h}" '
                    f'stroke="#e4e0d4"/>')
    y = top + head_h
    for r, h in zip(rows, heights, strict=True):
        body.append(f'<line x1="{left}" y1="{y}" x2="{width - left}" y2="{y}" stroke="#e4e0d4"/>')
        who = r["person"]["label"]
        name = "".join(
            f'<text x="{left}" y="{y + 13 + 12 * k}" font-weight="600" fill="#1a4f8a">{_t(line)}</text>'
            for k, line in enumerate(_wrap(who, 20))
        )
        body.append(_linked(r["person"], f'<g class="person"><title>{_t(who)}</title>{name}</g>', lang))
        for i, cell in enumerate(r["cells"]):
            x = round(left + name_w + i * col_w + 3, 1)
            w = round(col_w - 6, 1)
            if not cell:
                body.append(
                    f'<g class="mark not-stated"><title>{_t(who)}: {_t(words["not_stated"])}'
                    f'</title><rect x="{x}" y="{y + 3}" width="{w}" height="{chip_h}" rx="3" fill="#f6f6f6" '
                    f'stroke="#ccc" stroke-dasharray="2 2"/>'
                    f'<text x="{x + 4}" y="{y + 14}" font-size="{size}" font-style="italic" fill="#888">'
                    f'{_t(words["not_stated"])}</text></g>')
                continue
            for k, chip in enumerate(_chips(cell)):
                at = y + 3 + k * (chip_h + gap)
                body.append(_chip(chip, who, x, at, w, chip_h, size, lang))
        y += h
    body.append(f'<line x1="{left}" y1="{y}" x2="{width - left}" y2="{y}" stroke="#e4e0d4"/>')
    y += 18
    x = left
    for side in ("against", "for", "changed", "target", "other"):
        fill, _, stroke = SIDE_STYLE[side]
        text = words["side_" + side].format(name=view.get("aimed") or "")
        if x + 40 + 6.4 * len(text) > width - left:
            x, y = left, y + 18
        body.append(f'<g class="legend-{side}"><rect x="{x}" y="{y - 10}" width="18" height="12" rx="3" '
                    f'fill="{fill}" stroke="{stroke}"/><text x="{x + 22}" y="{y}">{_t(text)}</text></g>')
        x += 40 + 6.4 * len(text)
    if x + 34 + _CHAR * len(words["not_stated"]) > width - left:
        x, y = left, y + 18
    body.append(f'<g class="legend-not-stated"><rect x="{x}" y="{y - 10}" width="18" height="12" rx="3" '
                f'fill="#f6f6f6" stroke="#ccc" stroke-dasharray="2 2"/>'
                f'<text x="{x + 22}" y="{y}">{_t(words["not_stated"])}</text></g>')
    return _document(width, y + 10, words["standing_title"], body, desc=words["standing_desc"])


def _chips(cell: list[dict]) -> list[dict]:
    """The marks of a cell, one chip per (side, what): the acts and sentences of each, in order."""
    chips: dict[tuple, dict] = {}
    for m in cell:
        c = chips.setdefault((m["side"], m["what"]), {"side": m["side"], "what": m["what"], "marks": []})
        c["marks"].append(m)
    return list(chips.values())


def _chip(chip: dict, person: str, x: float, y: float, w: float, h: float, size: int, lang: str) -> str:
    fill, colour, stroke = SIDE_STYLE[chip["side"]]
    marks = chip["marks"]
    sids = list(dict.fromkeys(c["sid"] for m in marks for c in m["cited"]))
    label = chip["what"] + (f" ×{len(marks)}" if len(marks) > 1 else "")
    tip = "; ".join(
        f"{m['label']}" + "".join(f" [{c['sid']}: «{c['exact']}»]" for c in m["cited"]) for m in marks)
    sid_text = " ".join(sids[:2]) + ("…" if len(sids) > 2 else "")
    if 5.9 * len(label) + 5.4 * len(sid_text) + 10 > w and len(sids) > 1:
        sid_text = sids[0] + "…"  # the label first; the tooltip and the table name every sentence
    sid_w = 5.4 * len(sid_text) + 4
    room = int((w - sid_w - 6) / 5.9)
    rect = (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{x + 4}" y="{y + h - 4}" font-size="{size}" fill="{colour}">{_t(label, room)}</text>')
    first = marks[0]
    out = f'<g class="mark side-{chip["side"]}"><title>{_t(person)} — {_t(chip["what"])}: {_t(tip)}</title>'
    out += _linked(first["link"], rect, lang)
    sentence = next((c["sentence"] for m in marks for c in m["cited"] if c.get("sentence")), None)
    sid = (f'<text x="{round(x + w - 3, 1)}" y="{y + h - 4}" font-size="9" text-anchor="end" fill="{colour}" '
           f'text-decoration="underline" class="sid">{_t(sid_text)}</text>')
    out += _linked(sentence, sid, lang) if sentence else sid
    return out + "</g>"
