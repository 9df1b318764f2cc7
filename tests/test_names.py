"""kg/names.py: the spellings of one name meet in one key, and scores rank the right name first."""
import pytest

from kg.names import fold, key, prepare, score


@pytest.mark.parametrize("spellings, expected", [
    (["Хрущёв", "Хрущев", "Khrushchev", "Hrushchev", "Khrouchtchev"], "hrusev"),
    (["Hruščovs", "Chruschtschow", "Хрущов", "Khrushchov"], "hrusov"),
    (["Molotov", "Molotow", "Molotovs", "Молотов"], "molotov"),
    (["Bulganin", "Boulganine", "Bulgaņins", "Булганин"], "bulganin"),
    (["Mikoyan", "Mikojans", "Микоян", "Mikoïan"], "mikoian"),
    (["Zhukov", "Žukovs", "Schukow", "Жуков"], "sukov"),
    (["Voroshilov", "Woroschilow", "Vorošilovs", "Ворошилов"], "vorosilov"),
])
def test_spellings_of_one_name_share_a_key(spellings, expected):
    assert {key(fold(s)) for s in spellings} == {expected}


def test_fold_transliterates_and_drops_punctuation():
    assert fold("Ņikita  Hruščovs") == "nikita hruscovs"
    assert fold("Никита Сергеевич Хрущёв") == "nikita sergeevich khrushchev"
    assert fold("N. S. Khrushchev") == "n s khrushchev"
    assert fold("Lazar'") == "lazar"


def test_initials_are_kept_apart_and_must_fit():
    assert prepare("N. S. Khrushchev").initials == ("n", "s")
    full = "Nikita Sergeyevich Khrushchev"
    assert score("N. S. Khrushchev", full) == 100
    assert score("A. Khrushchev", full) < 70  # no given name starts with A
    assert score("W. M. Molotow", "Vyacheslav Mikhaylovich Molotov") >= 90  # German W. is V.


def test_scores_order():
    assert score("Molotov", "Molotov") == 100
    assert 90 <= score("Molotow", "Molotov") < 100  # another spelling: near-certain, not the same
    assert score("Khrushchev", "Nikita Khrushchev") < score("Khrushchev", "Khrushchev")
    assert score("Molotov", "Malenkov") < 70
    assert score("Finland", "Bulganin and Khrushchev's visit to Finland", whole=False) == 100
    assert score("Finland", "Bulganin and Khrushchev's visit to Finland") < 90  # not the whole name: no match


def test_prefixes_as_you_type():
    assert score("Хрущ", "Nikita Khrushchev", prefix=True, whole=False) >= 90
    assert score("Mikoj", "Mikoyan", prefix=True, whole=False) >= 90
    assert score("pers", "party organ", prefix=True, whole=False) < 60
    assert score("", "Molotov") == 0
