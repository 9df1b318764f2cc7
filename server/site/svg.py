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
_WORDS = {
    "en": {
        "event": "event",
        "speech": "speech act",
        "vote": "vote",
        "holding": "post held",
        "membership": "membership",
        "decision": "decision",
        "june": "June 1957, day by day",
        "episode": "The Anti-Party Group affair, 1955–1960",
        "undated": "dates not stated",
        "named": "named by the source",
        "unnamed": "not named",
        "posts": "Posts and memberships",
        "zoomed": "June 1957: detail below",
        "votes": "votes",
        "no_items": "no dated items",
    },
    "lv": {
        "event": "notikums",
        "speech": "runas akts",
        "vote": "balsojums",
        "holding": "amats",
        "membership": "dalība",
        "decision": "lēmums",
        "june": "1957. gada jūnijs pa dienām",
        "episode": "Antipartijiskā grupa, 1955–1960",
        "undated": "datumi nav minēti",
        "named": "avotā nosaukti",
        "unnamed": "nav nosaukti",
        "posts": "Amati un dalība",
        "zoomed": "1957. gada jūnijs: sīkāk zemāk",
        "votes": "balsis",
        "no_items": "nav datētu ierakstu",
    },
    "ru": {
        "event": "событие",
        "speech": "выступление",
        "vote": "голосование",
        "holding": "должность",
        "membership": "членство",
        "decision": "решение",
        "june": "Июнь 1957 года по дням",
        "episode": "Антипартийная группа, 1955–1960",
        "undated": "даты не указаны",
        "named": "названы в источнике",
        "unnamed": "не названы",
        "posts": "Должности и членство",
        "zoomed": "Июнь 1957: подробно ниже",
        "votes": "голоса",
        "no_items": "нет датированных записей",
    },
}
_FONT = 'font-family="system-ui, sans-serif"'
_HALO = 'paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"'
_CHAR = 6.1  # average width of a character at font-size 11, for placing labels


def _w(lang: str, key: str) -> str:
    return _WORDS.get(lang, _WORDS["en"]).get(key, _WORDS["en"][key])


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


def _document(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" {_FONT} font-size="11">'
        f"<title>{_t(title)}</title>" + "".join(body) + "</svg>"
    )


def _linked(link: dict | None, inner: str, lang: str) -> str:
    """``inner`` inside an ``<a>`` to the link's local path (keeping the language); external or missing links
    are not linked."""
    if link and link.get("href") and not link.get("external"):
        return f"<a href={_a(page_href(link['href'], lang))}>{inner}</a>"
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


def _bar(
    scale: _Scale, nb: int | None, na: int | None, y: float, h: float, colour: str, day_cells: bool = False
) -> list[str]:
    """A bar from nb to na; an unknown bound runs to the chart's edge, dashed and faded."""
    start = scale.x(nb) if nb is not None else scale.x0
    end_day = na + 1 if (na is not None and day_cells) else na
    end = scale.x(end_day) if end_day is not None else scale.x1
    width = max(end - start, 3)
    if nb is not None and na is not None:
        return [f'<rect x="{start}" y="{y}" width="{round(width, 1)}" height="{h}" fill="{colour}" rx="2"/>']
    return [
        f'<rect x="{start}" y="{y}" width="{round(width, 1)}" height="{h}" fill="{colour}" '
        f'fill-opacity="0.35" stroke="{colour}" stroke-dasharray="3 2" rx="2"/>',
        # the known end drawn solid
        f'<rect x="{start if nb is not None else round(end - 3, 1)}" y="{y}" width="3" height="{h}" '
        f'fill="{colour}"/>',
    ]


def _rows(scale: _Scale, items: list[dict], y0: float, row: float, day_cells: bool, lang: str) -> list[str]:
    out = []
    for i, item in enumerate(items):
        nb, na = _day(item.get("not_before")), _day(item.get("not_after"))
        y = y0 + i * row
        colour = COLOURS.get(item.get("kind"), "#666")
        out.extend(_bar(scale, nb, na, y + 2, row - 5, colour, day_cells))
        start = scale.x(nb) if nb is not None else scale.x0
        end = scale.x((na + (1 if day_cells else 0)) if na is not None else scale.d1)
        label = item["link"]["label"] if item.get("link") else item.get("label", "")
        title = f"{label} ({item.get('not_before') or '…'} – {item.get('not_after') or '…'})"
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


def episode_timeline(
    items: list[dict],
    lang: str = "en",
    *,
    span: tuple[str, str] = EPISODE,
    zoom: tuple[str, str] = ZOOM,
    width: int = 960,
) -> str:
    """The episode: items (``views.episode_items``: link, kind, not_before, not_after) as bars over ``span``;
    the items that fall in ``zoom`` (June 1957) are drawn again below on a day scale. Items that lie wholly
    inside ``zoom`` appear only in the inset."""
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
        f'<rect width="{width}" height="100%" fill="#fff"/>',
        f'<text x="{left}" y="16" font-size="14" font-weight="600">{_t(_w(lang, "episode"))}</text>',
    ]
    top = 28
    main_h = max(len(main), 1) * row
    zx0, zx1 = main_scale.x(z0), main_scale.x(z1 + 1)
    body.append(
        f'<rect x="{zx0}" y="{top}" width="{round(max(zx1 - zx0, 2), 1)}" height="{main_h}" fill="#fde9b8"/>'
    )
    body.extend(_rows(main_scale, main, top, row, False, lang))
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
    body.extend(_rows(zoom_scale, detail, inset_top + 18, row, True, lang))
    body.extend(g for g in axis if not g.startswith("<rect"))
    legend_y = inset_top + inset_h + 44
    x = left
    for kind in ("event", "speech", "vote", "decision", "holding", "membership"):
        body.append(
            f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{COLOURS[kind]}"/>'
            f'<text x="{x + 14}" y="{legend_y}">{_t(_w(lang, kind))}</text>'
        )
        x += 24 + 7 * len(_w(lang, kind))
    return _document(width, legend_y + 12, _w(lang, "episode"), body)


def vote_chart(vote: dict, lang: str = "en", *, width: int = 640) -> str:
    """A vote (``views.vote_view``): per option a bar of one cell per vote, the named voters' cells dark and
    their names below the bar; the count at the end of the bar."""
    counts = vote.get("counts", [])
    cell, gap, left = 22, 2, 90
    most = max([c["value"] for c in counts] + [1])
    cell = min(cell, (width - left - 60) // most - gap)
    colours = {"yes": "#3c8d5a", "no": "#b5533c", "abstain": "#999999", "absent": "#cccccc"}
    title = vote.get("label") or (vote.get("link") or {}).get("label") or "vote"
    body = [
        f'<rect width="{width}" height="100%" fill="#fff"/>',
        f'<text x="10" y="16" font-size="13" font-weight="600">{_t(title, 95)}</text>',
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
) -> str:
    """A person's posts and memberships (``views.person_timeline``) as bars over ``span``; an entry without
    any date runs dashed across the whole span, marked as undated."""
    row, left, right = 18, 10, width - 10
    scale = _Scale(*span, left, right)
    body = [
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
            body.extend(_bar(scale, nb, na, y + 2, row - 5, colour))
        text = f'<text x="{left + 6}" y="{y + row - 5}" fill="#111" {_HALO}>{_t(item["label"], 90)}</text>'
        tip = f"{item['label']} ({item['not_before'] or '…'} – {item['not_after'] or '…'})"
        body.append(_linked(item["link"], f"<g><title>{_t(tip)}</title>{text}</g>", lang))
    height = max(len(items), 1) * row
    if not items:
        body.append(f'<text x="{left}" y="{top + 12}" fill="#666">{_t(_w(lang, "no_items"))}</text>')
    body.extend(_year_axis(scale, top + height + 4, height + 4))
    return _document(width, top + height + 26, title or _w(lang, "posts"), body)
