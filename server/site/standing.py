"""Who stood where in the crisis of June 1957: for each person in and around the Presidium, what the source
says they did, or had done to them, at each step it describes, read from the graph. Plain functions, no Flask;
drawn by ``svg.standing_chart`` and tabled by templates/_standing.html.

The steps are found, not listed: the conspiracy (``apg:Conspiracy``); each session whose bounds lie in June
1957, in date order, with its speech acts (``schema:superEvent``) as one step and each of its votes as a step
of its own; the decisions adopted at those sessions that no vote resulted in (the plenum's resolution); and
what the source says followed the resolution or the last session (``apg:after``: dismissals, the criticism at
the congresses). A mark is one statement of the data graph linking an act of a step to a person: participant,
speaker, target (``apg:participant``, ``apg:speaker``, ``apg:target``), a named vote (``opengov:vote`` /
``opengov:voter``) or an effect of a decision (``apg:hasEffect`` / ``apg:affects``). An act aimed at an
informal group (the anti-party group) marks the group's members, through their membership, with both
statements cited; acts by or at a group whose members the source does not list (the opposition, the Central
Committee) are listed as group statements, never spread onto persons. A person with nothing stated at a step
is "not stated" there: nothing is inferred from silence (the seven who voted for the recommendation of s25 and
all six-to-two voters of s17 are unnamed).

Each mark carries its statement (the reifier in the provenance graph, with the sentence and the words that
state it), so the picture links every mark to the fact's page and to its sentence. The side a mark is drawn
in is read from the act, not guessed: an act of criticism, accusation, objection, proposal, demand or
conspiracy aimed at the person the conspiracy targets (Khrushchev), or a vote for a motion whose decision
affects him, is *against* him; a supporting act aimed at him, his own rejection of the criticism, or a vote
against such a motion is *for* him, and so is a critical act aimed at the group or its members; a change of
position is *changed*; being aimed at is *target*; anything else (a declaration, a refusal to repent) is
*other*.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from kg.namespaces import PREFIXES

from . import queries
from .footnotes import provenance_graph
from .views import Labeller, select, store_memo

APG = PREFIXES["apg"]
CRITICAL = {"Criticism", "Accusation", "Objection", "Proposal", "Demand", "Conspiracy", "Attempt"}
SIDES = ("against", "for", "changed", "target", "other")

_STEPS = queries.load("standing-steps")
_ACTS = queries.load("standing-acts")
_DECISIONS = queries.load("standing-decisions")
_AFTER = queries.load("standing-after")
_LINKS = queries.load("standing-links")
_TYPES = queries.load("standing-types")
_PERSONS = queries.load("standing-persons")
_ORGS = queries.load("standing-organizations")
_GROUP_MEMBERS = queries.load("standing-group-members")
_ORGAN_MEMBERS = queries.load("standing-organ-members")
_MOTION_AFFECTS = queries.load("standing-motion-affects")
_WORDS = queries.load("standing-words")
_ACT_INFO = queries.load("standing-act-info")
_COUNTS = queries.load("standing-counts")


def _local(term) -> str:
    return term.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _collect(store) -> dict:
    """The language-independent part: steps, marks, rows; read once per store (it never changes)."""
    steps_rows = select(store, _STEPS)
    conspiracies = sorted(r["step"].value for r in steps_rows if r["kind"].value == "conspiracy")
    in_june = sorted((r for r in steps_rows if r["kind"].value == "session"),
                     key=lambda r: (r["nb"].value, r["na"].value))
    sessions = [r["step"].value for r in in_june]
    acts_of: dict[str, list] = {}
    for r in select(store, _ACTS):
        if r["session"].value in sessions:
            acts_of.setdefault(r["session"].value, []).append((r["act"].value, r["vote"].value == "true"))
    decisions = sorted({r["d"].value for r in select(store, _DECISIONS) if r["session"].value in sessions})
    steps: list[dict] = []
    for c in conspiracies:
        steps.append({"key": "conspiracy", "resource": c, "acts": [c], "session": None})
    for s in sessions:
        acts = sorted(acts_of.get(s, []))
        speech = [a for a, vote in acts if not vote]
        if speech:
            steps.append({"key": "speech", "resource": s, "acts": speech, "session": s})
        for a, vote in acts:
            if vote:
                steps.append({"key": "vote", "resource": a, "acts": [a], "session": s})
    for d in decisions:
        steps.append({"key": "decision", "resource": d, "acts": [d], "session": None})
    prior = set(decisions) | ({sessions[-1]} if sessions else set())
    after = sorted({r["act"].value for r in select(store, _AFTER) if r["prior"].value in prior})
    if after:
        steps.append({"key": "after", "resource": None, "acts": after, "session": None})

    types: dict[str, set] = {}
    for r in select(store, _TYPES):
        types.setdefault(r["act"].value, set()).add(_local(r["type"]))
    persons = {r["x"].value for r in select(store, _PERSONS)}
    orgs = {r["x"].value for r in select(store, _ORGS)}
    members: dict[str, list[tuple[str, str]]] = {}
    for r in select(store, _GROUP_MEMBERS):
        members.setdefault(r["group"].value, []).append((r["who"].value, r["m"].value))
    affects = {}
    for r in select(store, _MOTION_AFFECTS):
        affects.setdefault(r["vote"].value, set()).add(r["who"].value)
    words: dict[tuple, list[dict]] = {}
    graph = provenance_graph(store)
    if graph:
        for r in select(store, _WORDS, prov=graph):
            key = (r["s"].value, r["p"].value, r["o"].value)
            entry = {"statement": r["st"].value, "sid": r["sid"].value, "exact": r["exact"].value,
                     "sentence": r["sentence"].value}
            if entry not in words.setdefault(key, []):
                words[key].append(entry)
    info = {}
    for r in select(store, _ACT_INFO):
        d = info.setdefault(r["act"].value, {"manner": [], "time": []})
        for k in ("manner", "time"):
            if r[k] is not None and r[k] not in d[k]:
                d[k].append(r[k])
    counts: dict[str, dict[str, int]] = {}
    for r in select(store, _COUNTS):
        counts.setdefault(r["vote"].value, {})[_local(r["option"])] = int(r["value"].value)

    links = select(store, _LINKS)
    step_of = {a: i for i, st in enumerate(steps) for a in st["acts"]}
    aimed = {r["who"].value for r in links
             if r["act"].value in conspiracies and r["p"].value == APG + "target"}
    in_groups = {who for ms in members.values() for who, _ in ms} | set(members)
    marks: list[dict] = []
    group_acts: dict[tuple[int, str], dict] = {}
    for r in links:
        act, p, who = r["act"].value, r["p"].value, r["who"].value
        if act not in step_of:
            continue
        i = step_of[act]
        role = p.rsplit("#", 1)[-1]
        link_key = (r["via"].value if r["via"] is not None else act, p, who)
        cited = list(words.get(link_key, []))
        act_types = types.get(act, set())
        if who in persons:
            targets = [t for t in links if t["act"].value == act and t["p"].value == APG + "target"]
            marks.append(_mark(i, act, who, role, act_types, r, targets, aimed, in_groups, affects, cited))
        elif who in members and role in ("target", "affects"):
            for person, membership in members[who]:
                via = cited + words.get((membership, PREFIXES["org"] + "member", person), [])
                mark = _mark(i, act, person, role, act_types, r, [], aimed, in_groups, affects, via)
                mark["group"] = who
                marks.append(mark)
        elif who in orgs:
            g = group_acts.setdefault((i, act), {"step": i, "act": act, "groups": set(), "cited": []})
            g["groups"].add(who)
            g["cited"].extend(c for c in cited if c not in g["cited"])
    votes = {st["resource"] for st in steps if st["key"] == "vote"}
    presidium = {r["who"].value for r in select(store, _ORGAN_MEMBERS) if r["vote"].value in votes}
    people = sorted(presidium | {m["person"] for m in marks})
    return {"steps": steps, "marks": marks, "people": people, "group_acts": list(group_acts.values()),
            "aimed": sorted(aimed),
            "in_groups": in_groups, "info": info, "counts": counts, "graph": graph}


def _mark(step, act, person, role, act_types, row, targets, aimed, in_groups, affects, cited) -> dict:
    """One mark: the person's part in the act, and the side it puts them on (see the module docstring)."""
    what = role
    side = "other"
    if role in ("speaker", "participant"):
        kind = next((t for t in sorted(act_types) if t not in ("SpeechAct", "Event", "Effect")), None)
        what = kind or role
        aims = {t["who"].value for t in targets}
        if kind == "ChangeOfPosition":
            side = "changed"
        elif kind == "Support" and aims & aimed or kind == "Rejection" and person in aimed:
            side = "for"
        elif kind in CRITICAL and aims & aimed:
            side = "against"
        elif kind in CRITICAL and aims & in_groups:
            side = "for"
    elif role == "voter":
        what = "vote-" + _local(row["option"])
        if affects.get(act, set()) & aimed:
            side = {"yes": "against", "no": "for"}.get(_local(row["option"]), "other")
    elif role == "affects":
        what = _local(row["effect"])
        side = "target"
    elif role == "target":
        kind = next((t for t in sorted(act_types) if t not in ("SpeechAct", "Event", "Effect")), None)
        what = f"target-{kind}" if kind else "target"
        side = "target"
    return {"step": step, "act": act, "person": person, "role": role, "what": what, "side": side,
            "cited": sorted(cited, key=lambda c: (_sid_order(c["sid"]), c["exact"]))}


def _sid_order(sid: str):
    m = re.fullmatch(r"([a-z]+)(\d+)", sid)
    return (m.group(1), int(m.group(2))) if m else (sid, 0)


def statement_href(statement: str, graph: str | None) -> str:
    """A link that shows the reifier's own triples (they live in the provenance graph, which has no pages):
    a SELECT, which a browser gets as an HTML table."""
    query = f"SELECT ?property ?value WHERE {{ GRAPH <{graph}> {{ <{statement}> ?property ?value }} }}"
    return "/sparql?query=" + quote(query, safe="")


def standing_view(store, lang: str, words: dict, lab: Labeller | None = None) -> dict | None:
    """The picture's content in ``lang``: steps [{key, link, title, sub, session}], rows [{person (link),
    cells: [[marks]] per step}], group statements, None when the build has no such steps. A mark: what (the
    word for the person's part), side, link (the act's page), label (the act's label), manner / time (the
    source's words), group (link, when the act is aimed at the person's group), cited [{sid, sentence
    (link), exact, statement, statement_href}]."""
    memo = store_memo(store)
    if "standing" not in memo:
        memo["standing"] = _collect(store)
    data = memo["standing"]
    if not data["steps"]:
        return None
    lab = lab or Labeller(store, lang)
    lab.fetch({st["resource"] for st in data["steps"] if st["resource"]} | set(data["aimed"])
              | {m["act"] for m in data["marks"]} | set(data["people"])
              | {m.get("group") for m in data["marks"] if m.get("group")}
              | {g for ga in data["group_acts"] for g in ga["groups"]}
              | {ga["act"] for ga in data["group_acts"]})
    steps = []
    for st in data["steps"]:
        title = words.get("step_" + st["key"], st["key"])
        sub = lab.label(st["resource"]) if st["resource"] else ""
        if st["key"] == "vote":
            c = data["counts"].get(st["resource"], {})
            sub = words.get("step_vote_counts", "{yes} for, {no} against").format(
                yes=c.get("yes", "?"), no=c.get("no", "?"))
        steps.append({"key": st["key"], "title": title, "sub": sub, "session": st["session"],
                      "resource": st["resource"],
                      "label": lab.label(st["resource"]) if st["resource"] else title,
                      "link": lab.link(st["resource"]) if st["resource"] else None})

    def cite(c):
        return dict(c, sentence=lab.link(c["sentence"]),
                    statement_href=statement_href(c["statement"], data["graph"]))

    def mark(m):
        info = data["info"].get(m["act"], {})
        what = words.get("mark_" + m["what"]) or words.get("mark_" + m["what"].split("-")[0], m["what"])
        return {"what": what, "side": m["side"], "role": m["role"],
                "link": lab.link(m["act"]), "label": lab.label(m["act"]),
                "manner": lab.text(info.get("manner", [])), "time": lab.text(info.get("time", [])),
                "group": lab.link(m.get("group")), "cited": [cite(c) for c in m["cited"]]}

    by_person: dict[str, list[list]] = {p: [[] for _ in steps] for p in data["people"]}
    for m in data["marks"]:
        by_person.setdefault(m["person"], [[] for _ in steps])[m["step"]].append(mark(m))
    for cells in by_person.values():
        for cell in cells:
            cell.sort(key=lambda m: (SIDES.index(m["side"]), m["what"]))

    def order(p):
        cells = by_person[p]
        sides = [m["side"] for cell in cells for m in cell]
        group = 0 if p in data["in_groups"] else 1 if {"against", "changed"} & set(sides) else 2
        first = next((i for i, cell in enumerate(cells) if cell), len(cells))
        return (group, first, lab.label(p))

    rows = [{"person": lab.link(p), "cells": by_person[p]} for p in sorted(by_person, key=order)]
    groups = [{"step": steps[g["step"]], "link": lab.link(g["act"]), "label": lab.label(g["act"]),
               "groups": sorted((lab.link(x) for x in g["groups"]), key=lambda v: v["label"]),
               "cited": [cite(c) for c in g["cited"]]}
              for g in sorted(data["group_acts"], key=lambda g: (g["step"], g["act"]))]
    names = ", ".join(lab.label(a) for a in data["aimed"])
    return {"steps": steps, "rows": rows, "groups": groups, "aimed": names,
            "sessions": sorted({st["session"] for st in data["steps"] if st["session"]})}
