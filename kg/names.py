"""Name matching: how a name someone types is compared with the names the graph gives a resource.

One module for both uses, the search box (server/site/search.py) and the Reconciliation Service API
(server/site/reconcile.py); kg/search_index.py stores the keys computed here, so build and query agree.

People write these names in many ways: Latvian (``Hruščovs``), Russian Cyrillic (``Хрущёв``, ``Хрущев``),
English transliterations (``Khrushchev``, ``Hrushchev``), German and French spellings (``Chruschtschow``,
``Molotow``, ``Boulganine``), with initials (``N. S. Khrushchev``) or the surname alone. The graph has lv, en
and ru labels only (no German or French exonyms, and none are invented), so the matcher is made robust
instead:

1. ``fold``: Unicode NFKC, case-folded, transliterated to ASCII by anyascii (Cyrillic, Latvian diacritics;
   ``ё`` becomes ``e`` as in ``Хрущев``), punctuation to spaces.
2. ``key`` of each word, a phonetic-ish normalisation of the transliterated form, so that the spellings of
   one name meet: ``kh`` and a word-initial ``ch`` before a consonant (German ``Chr-``) -> ``h``; every run
   of sibilants and affricates (``shch``, ``sch``, ``tsch``, ``tch``, ``sh``, ``ch``, ``zh``, ``ts``, ``c``,
   ``s``, ``z``: Latvian ``š č ž`` fold to ``s c z``) -> ``s``; ``w`` -> ``v``; ``ou`` -> ``u``; ``ph`` ->
   ``f``; ``y``, ``j`` -> ``i``; doubled letters once; then the final ``-s`` of Latvian nominatives (and
   English plurals) and a final ``-e`` after a consonant (French ``-ine``) are dropped. ``Хрущёв``,
   ``Khrushchev``, ``Hrushchev``, ``Khrouchtchev`` -> ``hrusev``; ``Hruščovs``, ``Chruschtschow`` ->
   ``hrusov``; ``Boulganine`` -> ``bulganin``. (German ``ch`` after a vowel is a ``kh``, English ``ch`` a
   ``tsh``: without the writer's language the rule cannot tell, so ``Perwuchin`` only comes near
   ``Pervukhin``, 84.)
3. ``skeleton`` of a key: its consonants, which absorbs the vowels transliterations disagree on
   (``hrusev``/``hrusov`` -> ``hrsv``).

Words are compared with rapidfuzz's normalised Indel similarity (``fuzz.ratio``) on keys and, a little
discounted, on skeletons, so misspellings (``Mikojans``, ``Hrushchov``) still score high; another spelling
of a word scores at most ``SPELLING`` (96), the word itself 100. A whole name is scored by ``score``: the
better of the whole-name comparison and a word-by-word alignment (word order free, a surname alone loses
``LEFT_OUT`` for each longer name word it leaves out, initials must fit the given names). Scores are 0-100.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Ordered rewrites of a transliterated, lower-case word (see the module docstring, step 2).
_RULES = (
    (re.compile(r"^ch(?=[^aeiouy])"), "h"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"(?:t?sch|t?ch|shch|sh|zh|ts|tz|[csz])+"), "s"),
    (re.compile(r"[yj]"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
)
_FINAL_S = re.compile(r"(?<=..)s$")
_FINAL_E = re.compile(r"(?<=[^aeiou]{1})(?<=...)e$")
_VOWELS = re.compile(r"[aeiou]")
SPELLING = 0.96  # another spelling of a word (equal keys) is near-certain, never equal to the word itself
SKELETON_WEIGHT = 0.9  # a skeleton-only agreement counts a little less than a key agreement
LEFT_OUT = 0.9  # per word of the name that the query leaves out (words of 1-3 letters, "of", "the", are free)
BAD_INITIAL = 0.6  # an initial that fits no given name


def fold(text: str) -> str:
    """Case-folded ASCII transliteration with words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("\u2019", "")
    return " ".join(_NON_WORD.sub(" ", anyascii(text).lower()).split())


@lru_cache(maxsize=65536)
def key(word: str, final: bool = True) -> str:
    """The phonetic-ish key of one folded word (``fold`` first). ``final=False``: keep the word's end (a word
    still being typed has no ending yet)."""
    if word.isdigit():
        return word
    for pattern, repl in _RULES:
        word = pattern.sub(repl, word)
    if not final:
        return word
    word = _FINAL_S.sub("", word)
    return _FINAL_E.sub("", word)


def skeleton(k: str) -> str:
    """The consonants of a key (its first letter kept, vowel or not)."""
    return k[:1] + _VOWELS.sub("", k[1:])


@dataclass(frozen=True)
class Name:
    """A name prepared for comparison: folded words, their keys and skeletons, and which are initials."""

    text: str
    words: tuple[str, ...]
    keys: tuple[str, ...]
    skeletons: tuple[str, ...]
    initials: tuple[str, ...]

    @property
    def key(self) -> str:
        return " ".join(self.keys)


@lru_cache(maxsize=65536)
def prepare(text: str) -> Name:
    """``text`` as a Name; one-letter words (``N.``, ``S``) are initials, kept apart."""
    folded = fold(text)
    words = tuple(w for w in folded.split() if len(w) > 1 or w.isdigit())
    initials = tuple(w for w in folded.split() if len(w) == 1 and not w.isdigit())
    keys = tuple(key(w) for w in words)
    return Name(text, words, keys, tuple(skeleton(k) for k in keys), initials)


def word_score(a: Name, i: int, b: Name, j: int, prefix: bool = False) -> float:
    """Similarity of word ``i`` of ``a`` and word ``j`` of ``b`` (0-100). ``prefix``: ``a``'s word may be the
    start of ``b``'s (typing in progress)."""
    if a.words[i] == b.words[j]:
        return 100.0
    ka, kb = a.keys[i], b.keys[j]
    sa, sb = a.skeletons[i], b.skeletons[j]
    if prefix:
        if b.words[j].startswith(a.words[i]):
            return 100.0
        ka = key(a.words[i], final=False)
        if len(ka) < len(kb):  # the start of the word, by key; skeletons of a few letters say nothing
            return SPELLING * fuzz.ratio(ka, kb[: len(ka)]) if len(ka) >= 3 else 0.0
    return SPELLING * max(fuzz.ratio(ka, kb), SKELETON_WEIGHT * fuzz.ratio(sa, sb))


def _initials_fit(query: Name, name: Name, used: set[int]) -> bool:
    """Each initial of the query starts a word of the name not matched otherwise, in the query's order."""
    free = [w for j, w in enumerate(name.words) if j not in used]
    pos = 0
    for initial in query.initials:
        sound = key(initial, final=False)  # German W. is V., J. is I. ...
        while pos < len(free) and not (free[pos].startswith(initial)
                                       or key(free[pos], final=False).startswith(sound)):
            pos += 1
        if pos == len(free):
            return False
        pos += 1
    return True


def score(query: Name | str, name: Name | str, *, prefix: bool = False, whole: bool = True) -> float:
    """How well ``query`` matches ``name`` (0-100).

    ``whole``: the query means the whole name (reconciliation: words of the name the query leaves out cost
    ``LEFT_OUT`` each); without it, only the query's words must be found (search in long labels).
    ``prefix``: the query's last word may be unfinished (suggestions as you type)."""
    q = prepare(query) if isinstance(query, str) else query
    n = prepare(name) if isinstance(name, str) else name
    if not q.words or not n.words:
        return 0.0
    if q.words == n.words and not q.initials:
        return 100.0
    full = 0.0
    if whole:
        full = SPELLING * max(fuzz.ratio(q.key, n.key),
                              SKELETON_WEIGHT * fuzz.ratio("".join(q.skeletons), "".join(n.skeletons)))
        if q.initials:  # initials are judged word by word below
            full = 0.0
    best, used = [], set()
    last = len(q.words) - 1
    for i in range(len(q.words)):
        scores = [(word_score(q, i, n, j, prefix and i == last), j) for j in range(len(n.words))]
        s, j = max(scores)
        best.append(s)
        used.add(j)
    aligned = sum(best) / len(best)
    if whole:
        left = sum(1 for j, w in enumerate(n.words) if j not in used and len(w) > 3)
        aligned *= LEFT_OUT ** max(left - len(q.initials), 0)
    if q.initials and not _initials_fit(q, n, used):
        aligned *= BAD_INITIAL
    return round(max(full, aligned), 2)


def best(query: Name | str, names, **options) -> tuple[float, str | None]:
    """The best score of ``query`` over ``names`` (strings) and the name that gave it."""
    q = prepare(query) if isinstance(query, str) else query
    top, which = 0.0, None
    for text in names:
        s = score(q, text, **options)
        if s > top:
            top, which = s, text
    return top, which
