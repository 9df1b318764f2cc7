"""Server-rendered HTML pages: the Jinja2 templates of ``server/site/templates/`` filled from
server/site/views.py, with
the pictures of server/site/svg.py inline. Plain functions returning ``str`` (no Flask request globals), so a
blueprint only picks the language and the store and returns what these give.

Pages load nothing from another host (inline CSS, inline SVG, one local script for the search box's
suggestions, one schema.org JSON-LD data block, a ``data:`` favicon), read without JavaScript, and are
well-formed XML as well as HTML. Links to resources of the dataset are local paths (``{base}id/x`` ->
``/id/x``, with ``?lang=`` when the page language is not English); Wikidata and DBpedia links and the source
article are ordinary outbound links.

Wiring (for the blueprints): ``/id/{path}`` -> ``resource_page(store, base + "id/" + path, lang)`` (None:
answer 404 with ``not_found_page``; ValueError: the path is no valid IRI, also 404); ``/`` ->
``landing_page``; ``/download`` -> ``downloads_page``; any unknown page -> ``not_found_page``. ``lang`` comes
from ``?lang=`` (see ``views.pick_lang``), else from Accept-Language. Pages link to ``/sparql``,
``/download/{file}``, ``/download``, ``/ontology`` (ontology terms ``{base}ontology#X`` map to
``/ontology#X``) and ``/.well-known/void``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from kg.resources import queries_dir, templates_dir

from . import citation, corrections, standing, structured, svg, views
from .views import DEFAULT_LANG, LANGS, pick_lang

TEMPLATES = templates_dir("server.site")
QUERIES = queries_dir()
LICENSE = {"name": "CC BY-SA 4.0", "href": "https://creativecommons.org/licenses/by-sa/4.0/"}
ARTICLE = {"title": "Antipartijiskā grupa", "href": "https://lv.wikipedia.org/wiki/Antipartijisk%C4%81_grupa"}
LANG_NAMES = {"en": "English", "lv": "latviešu", "ru": "русский"}
# The dataset description's RDF variants (/dataset.{ext}), linked from the pages about the whole dataset.
DATASET_ALTERNATES = [{"type": t, "href": f"/dataset.{e}"} for e, t in (
    ("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
    ("rdf", "application/rdf+xml"))]
# The corrections page lists resources of the data graph: its variants are the data graph's.
DATA_ALTERNATES = [{"type": a["type"], "href": a["href"].replace("/dataset.", "/graph/data.")}
                   for a in DATASET_ALTERNATES]

_STRINGS = {
    "site": (
        "Anti-Party Group knowledge graph",
        "Antipartijiskās grupas zināšanu grafs",
        "Граф знаний об антипартийной группе",
    ),
    "home": ("Home", "Sākums", "Главная"),
    "sparql": ("SPARQL", "SPARQL", "SPARQL"),
    "downloads": ("Downloads", "Lejupielādes", "Загрузки"),
    "ontology": ("Ontology", "Ontoloģija", "Онтология"),
    "void": ("Dataset description (VoID)", "Datu kopas apraksts (VoID)", "Описание набора данных (VoID)"),
    "language": ("Language", "Valoda", "Язык"),
    "types": ("Types", "Tipi", "Типы"),
    "labels": ("Names", "Nosaukumi", "Названия"),
    "properties": ("Statements", "Apgalvojumi", "Утверждения"),
    "property": ("Property", "Īpašība", "Свойство"),
    "value": ("Value", "Vērtība", "Значение"),
    "parts": ("Parts", "Daļas", "Части"),
    "incoming": ("Linked from", "Saites uz šo resursu", "Ссылки на этот ресурс"),
    "sources": ("Source sentences", "Avota teikumi", "Предложения источника"),
    "sources_intro": (
        "The statements of this page are derived from these sentences of the Latvian Wikipedia "
        "article (quoted in Latvian).",
        "Šīs lapas apgalvojumi iegūti no šiem Latviešu Vikipēdijas raksta teikumiem.",
        "Утверждения этой страницы получены из этих предложений статьи латышской Википедии "
        "(цитаты на латышском).",
    ),
    "cited_by": ("cited by", "atsaucas", "ссылаются"),
    "same_as": ("The same thing elsewhere", "Tas pats citur", "То же самое в других источниках"),
    "part_of": ("Part of", "Daļa no", "Часть"),
    "timeline": ("Posts and memberships", "Amati un dalība", "Должности и членство"),
    "events": ("Events", "Notikumi", "События"),
    "role": ("Role", "Loma", "Роль"),
    "from": ("From", "No", "С"),
    "to": ("To", "Līdz", "По"),
    "after": ("after", "pēc", "после"),
    "began_by": ("began by", "sākās ar", "начало"),
    "ended_by": ("ended by", "beidzās ar", "окончание"),
    "undated": ("not stated", "nav minēts", "не указано"),
    "session": ("Session", "Sēde", "Заседание"),
    "organ": ("Organ", "Orgāns", "Орган"),
    "chair": ("Chair", "Vadītājs", "Председатель"),
    "dates": ("Dates", "Datumi", "Даты"),
    "agenda": ("Agenda", "Darba kārtība", "Повестка дня"),
    "pretext": ("Pretext", "Iegansts", "Предлог"),
    "speech_acts": ("Speech acts", "Runas akti", "Выступления"),
    "speakers": ("Speakers", "Runātāji", "Выступающие"),
    "targets": ("Targets", "Mērķi", "Адресаты"),
    "participants": ("Participants", "Dalībnieki", "Участники"),
    "topics": ("Topics", "Tēmas", "Темы"),
    "kind": ("Kind", "Veids", "Вид"),
    "date": ("Date", "Datums", "Дата"),
    "votes": ("Votes", "Balsojumi", "Голосования"),
    "vote": ("Vote", "Balsojums", "Голосование"),
    "motion": ("Motion", "Priekšlikums", "Предложение"),
    "result": ("Result", "Rezultāts", "Результат"),
    "option": ("Option", "Variants", "Вариант"),
    "count": ("Count", "Skaits", "Число"),
    "named_voters": ("Voters named by the source", "Avotā nosauktie balsotāji", "Названные в источнике"),
    "unnamed": ("not named", "nav nosaukti", "не названы"),
    "decision": ("Decision", "Lēmums", "Решение"),
    "decisions": ("Decisions", "Lēmumi", "Решения"),
    "adopted_by": ("Adopted by", "Pieņēma", "Принято"),
    "adopted_at": ("Adopted at", "Pieņemts", "Принято на"),
    "addressed_to": ("Addressed to", "Adresēts", "Адресовано"),
    "effects": ("Effects", "Sekas", "Последствия"),
    "sentence": ("Sentence", "Teikums", "Предложение"),
    "document": ("Document", "Dokuments", "Документ"),
    "read_source": ("Read the article", "Lasīt rakstu", "Читать статью"),
    "previous": ("previous sentence", "iepriekšējais teikums", "предыдущее предложение"),
    "next": ("next sentence", "nākamais teikums", "следующее предложение"),
    "derived": ("Derived from this sentence", "No šī teikuma iegūts", "Получено из этого предложения"),
    "position": ("position", "vieta", "позиция"),
    "about": ("About this dataset", "Par šo datu kopu", "Об этом наборе данных"),
    "counts": ("In numbers", "Skaitļos", "В цифрах"),
    "graph": ("Graph", "Grafs", "Граф"),
    "triples": ("Triples", "Trijnieki", "Триплеты"),
    "total": ("total", "kopā", "всего"),
    "links_out": (
        "Links to Wikidata and DBpedia",
        "Saites uz Wikidata un DBpedia",
        "Ссылки на Wikidata и DBpedia",
    ),
    "validation": ("SHACL validation", "SHACL validācija", "Проверка SHACL"),
    "violations": ("violations", "pārkāpumi", "нарушения"),
    "warnings": ("warnings", "brīdinājumi", "предупреждения"),
    "browse": ("Browse", "Pārlūkot", "Обзор"),
    "queries": ("Example queries", "Vaicājumu piemēri", "Примеры запросов"),
    "run": ("run", "izpildīt", "выполнить"),
    "show_query": ("query text", "vaicājuma teksts", "текст запроса"),
    "file": ("File", "Fails", "Файл"),
    "format": ("Format", "Formāts", "Формат"),
    "size": ("Size", "Izmērs", "Размер"),
    "license": ("License", "Licence", "Лицензия"),
    "license_text": (
        "Data: {license}. Derived from the Latvian Wikipedia article {article} by its contributors.",
        "Dati: {license}. Iegūti no Latviešu Vikipēdijas raksta {article}, tā autori — Vikipēdijas "
        "dalībnieki.",
        "Данные: {license}. Получены из статьи латышской Википедии {article}, авторы — участники Википедии.",
    ),
    "timeline_episode": ("Timeline", "Laika ass", "Хронология"),
    "not_found": ("Not found", "Nav atrasts", "Не найдено"),
    "not_found_text": (
        "The dataset says nothing about this address.",
        "Datu kopā par šo adresi nekā nav.",
        "В наборе данных нет ничего об этом адресе.",
    ),
    "try": (
        "Try the home page, the index of persons and events there, or a SPARQL query.",
        "Mēģiniet sākumlapu, tās personu un notikumu rādītāju vai SPARQL vaicājumu.",
        "Попробуйте главную страницу, указатель лиц и событий на ней или запрос SPARQL.",
    ),
    "index_person": ("Persons", "Personas", "Лица"),
    "index_organization": ("Organisations", "Organizācijas", "Организации"),
    "index_session": ("Sessions", "Sēdes", "Заседания"),
    "index_vote": ("Votes", "Balsojumi", "Голосования"),
    "index_decision": ("Decisions", "Lēmumi", "Решения"),
    "index_event": ("Other events", "Citi notikumi", "Другие события"),
    "index_sentence": ("Source sentences", "Avota teikumi", "Предложения источника"),
    "count_event": (
        "Events (with speech acts and votes)",
        "Notikumi (ar runas aktiem un balsojumiem)",
        "События (с выступлениями и голосованиями)",
    ),
    "version": ("version", "versija", "версия"),
    "endpoint": ("SPARQL endpoint", "SPARQL galapunkts", "Точка доступа SPARQL"),
    "iri": ("IRI", "IRI", "IRI"),
    "footnotes": ("Footnotes", "Atsauces", "Сноски"),
    "footnotes_intro": (
        "The words of the source that state each statement above, marked in their sentence (Latvian), with "
        "an English translation where the dataset has one.",
        "Avota vārdi, kas izsaka katru augstāk minēto apgalvojumu, iezīmēti savā teikumā, ar tulkojumu angļu "
        "valodā, ja datu kopā tāds ir.",
        "Слова источника, выражающие каждое утверждение выше, выделены в своём предложении (на латышском), "
        "с английским переводом, если он есть в наборе данных.",
    ),
    "translation": (
        "English translation (a reading aid, not the source)",
        "Tulkojums angļu valodā (palīglīdzeklis, nevis avots)",
        "Перевод на английский (вспомогательный, не источник)",
    ),
    "sentence_statements": (
        "Statements this sentence states",
        "Apgalvojumi, ko izsaka šis teikums",
        "Утверждения, которые высказывает это предложение",
    ),
    "subject": ("Subject", "Subjekts", "Субъект"),
    "words": ("The source's words", "Avota vārdi", "Слова источника"),
    "corrections": ("Editorial corrections", "Redakcionālie labojumi", "Редакционные исправления"),
    "corrections_intro": (
        "Where the source is in error or has a typo, the graph records the corrected value and keeps the "
        "source's reading.",
        "Kur avotā ir kļūda vai drukas kļūda, grafs ieraksta laboto vērtību un saglabā avota lasījumu.",
        "Где источник ошибается или содержит опечатку, граф записывает исправленное значение и сохраняет "
        "прочтение источника.",
    ),
    "all_corrections": ("All corrections", "Visi labojumi", "Все исправления"),
    "correction_factual": ("factual correction", "faktu labojums", "фактическое исправление"),
    "correction_normalisation": (
        "typo normalised in labels",
        "drukas kļūda etiķetēs labota",
        "опечатка исправлена в названиях",
    ),
    "corrections_factual": ("Factual corrections", "Faktu labojumi", "Фактические исправления"),
    "corrections_normalisation": (
        "Typo normalisations in labels",
        "Drukas kļūdu labojumi etiķetēs",
        "Исправления опечаток в названиях",
    ),
    "source_reading": ("The source reads", "Avotā rakstīts", "В источнике"),
    "graph_records": ("The graph records", "Grafā ierakstīts", "В графе записано"),
    "labels_write": ("Labels write", "Etiķetēs rakstīts", "В названиях"),
    "reason": ("Reason", "Iemesls", "Причина"),
    "evidence": ("Evidence", "Pierādījumi", "Доказательства"),
    "corrects": ("Applies to", "Attiecas uz", "Относится к"),
    # search (server/site/search.py, templates/search.html, the box in base.html)
    "search": ("Search", "Meklēt", "Поиск"),
    "search_label": (
        "Search persons, organisations, events and the source",
        "Meklēt personas, organizācijas, notikumus un avotā",
        "Искать лица, организации, события и в источнике",
    ),
    "search_placeholder": ("Name or words…", "Vārds vai vārdi…", "Имя или слова…"),
    "search_results": ("Search results", "Meklēšanas rezultāti", "Результаты поиска"),
    "search_for": ("for", "vaicājumam", "по запросу"),
    "search_none": (
        "Nothing found. Names may be written in Latvian, English or Russian, in any transliteration.",
        "Nekas nav atrasts. Vārdus var rakstīt latviski, angliski vai krieviski, jebkurā transliterācijā.",
        "Ничего не найдено. Имена можно писать по-латышски, по-английски или по-русски, в любой "
        "транслитерации.",
    ),
    "search_hint": (
        "Type a name (in Latvian, English or Russian, in any spelling) or words of the source.",
        "Ierakstiet vārdu (latviski, angliski vai krieviski, jebkurā rakstībā) vai avota vārdus.",
        "Введите имя (по-латышски, по-английски или по-русски, в любом написании) или слова источника.",
    ),
    "search_matched": ("matched", "atbilst", "совпадение"),
    "search_kind_person": ("Persons", "Personas", "Лица"),
    "search_kind_organization": ("Organisations", "Organizācijas", "Организации"),
    "search_kind_post": ("Posts", "Amati", "Должности"),
    "search_kind_event": ("Events", "Notikumi", "События"),
    "search_kind_session": ("Sessions", "Sēdes", "Заседания"),
    "search_kind_vote": ("Votes", "Balsojumi", "Голосования"),
    "search_kind_decision": ("Decisions", "Lēmumi", "Решения"),
    "search_kind_speech": ("Speech acts", "Runas akti", "Выступления"),
    "search_kind_claim": ("Claims", "Apgalvojumi", "Утверждения"),
    "search_kind_place": ("Places", "Vietas", "Места"),
    "search_kind_topic": ("Topics", "Tēmas", "Темы"),
    "search_kind_sentence": ("Source sentences", "Avota teikumi", "Предложения источника"),
    # Triple Pattern Fragments (server/site/fragments.py)
    "fragments": (
        "Triple Pattern Fragments",
        "Trijnieku šablonu fragmenti",
        "Фрагменты по шаблону триплетов",
    ),
    "fragments_intro": (
        "Every triple of the default graph (data and ontology) matching a pattern, 100 a page. Leave a field "
        "empty for any term; write IRIs as they are (or foaf:Person), literals as \"text\"@en.",
        "Visi noklusējuma grafa (dati un ontoloģija) trijnieki, kas atbilst šablonam, pa 100 lapā. Atstājiet "
        "lauku tukšu jebkuram terminam; IRI rakstiet kā ir (vai foaf:Person), literāļus kā \"teksts\"@lv.",
        "Все триплеты графа по умолчанию (данные и онтология), соответствующие шаблону, по 100 на странице. "
        "Оставьте поле пустым для любого термина; IRI пишите как есть (или foaf:Person), литералы как "
        "\"текст\"@ru.",
    ),
    "fragments_count": ("matching triples", "atbilstoši trijnieki", "подходящих триплетов"),
    "fragments_showing": ("showing", "rādīti", "показаны"),
    "fragments_find": ("Find", "Meklēt", "Найти"),
    "previous_page": ("previous page", "iepriekšējā lapa", "предыдущая страница"),
    "next_page": ("next page", "nākamā lapa", "следующая страница"),
    # "cite this" (server/site/citation.py)
    "cite": ("Cite this", "Citēt", "Как цитировать"),
    "cite_intro": (
        "Dataset version {version} of {date}; this page's thing is {iri}.",
        "Datu kopas versija {version} ({date}); šīs lapas resurss ir {iri}.",
        "Версия набора данных {version} от {date}; предмет этой страницы — {iri}.",
    ),
    "cite_line": ("Citation", "Atsauce", "Ссылка"),
    # honest pictures: dates with their precision (server/site/svg.py), the undated events
    "precision_day": ("known to the day", "zināms dienas precizitātē", "известна с точностью до дня"),
    "precision_month": ("known to the month only", "zināms tikai mēnesis", "известен только месяц"),
    "precision_year": ("known to the year only", "zināms tikai gads", "известен только год"),
    "precision_none": ("another precision", "cita precizitāte", "другая точность"),
    "drawn_between": (
        "drawn between {nb} and {na}", "attēlots starp {nb} un {na}", "показано между {nb} и {na}"
    ),
    "legend_exact": ("dates known to the day", "datumi zināmi dienas precizitātē", "даты известны до дня"),
    "legend_uncertain": (
        "known only to the month or year, or as after an event: somewhere in the hatched span",
        "zināms tikai mēnesis vai gads vai tas, ka pēc notikuma: kaut kur svītrotajā posmā",
        "известен только месяц или год либо «после события»: где-то в заштрихованном отрезке",
    ),
    "legend_open": (
        "a bound not stated: runs to the edge",
        "robeža nav minēta: turpinās līdz malai",
        "граница не указана: продолжается до края",
    ),
    "undated_row": (
        "Not dated by the source (not placed on the axis)",
        "Avotā nav datēti (nav novietoti uz ass)",
        "Без даты в источнике (не размещены на оси)",
    ),
    "timeline_table": ("The timeline as a table", "Laika ass kā tabula", "Хронология в виде таблицы"),
    "date_given": ("Date as the source gives it", "Datums, kā to sniedz avots", "Дата, как её даёт источник"),
    "precision": ("Precision", "Precizitāte", "Точность"),
    "bounds": ("Bounds (xsd:date)", "Robežas (xsd:date)", "Границы (xsd:date)"),
    "undated_events": (
        "Events the source does not date",
        "Notikumi, kurus avots nedatē",
        "События, которые источник не датирует",
    ),
    "when_words": ("When, in the source's words", "Kad (avota vārdiem)", "Когда (словами источника)"),
    "concurrent_with": ("at the same time as", "vienlaikus ar", "одновременно с"),
    # who stood where, June 1957 (server/site/standing.py, svg.standing_chart, templates/_standing.html)
    "standing_title": ("Who stood where, June 1957", "Kas kur stāvēja 1957. gada jūnijā",
                       "Кто где стоял в июне 1957 года"),
    "standing_intro": (
        "For each person in and around the Presidium, what the source says they did, or had done to them, at "
        "each step of the crisis. Every mark is a statement of the graph, linked to the page of its fact and "
        "to its sentence. Where the source says nothing of a person at a step, the cell says \u201cnot "
        "stated\u201d: nobody is given a side the source does not state (it names none of the six-to-two "
        "voters of s17 and none of the seven who voted for in s25).",
        "Katrai personai Prezidijā un ap to — ko avots saka par viņas rīcību vai par to, kas vērsts pret "
        "viņu, katrā krīzes posmā. Katra atzīme ir grafa apgalvojums ar saiti uz fakta lapu un tā teikumu. "
        "Kur avots par personu posmā neko nesaka, šūnā rakstīts \u201cnav minēts\u201d: nevienam nav "
        "piedēvēta nostāja, ko avots nemin (tas nenosauc nevienu no s17 balsotājiem un nevienu no septiņiem, "
        "kas s25 balsoja \u201cpar\u201d).",
        "Для каждого лица в Президиуме и вокруг него — что источник говорит о его действиях или о действиях "
        "против него на каждом шаге кризиса. Каждая отметка — утверждение графа со ссылкой на страницу "
        "факта и на его предложение. Где источник ничего не говорит о лице на данном шаге, в ячейке стоит "
        "\u00abне указано\u00bb: никому не приписана позиция, которую источник не называет (он не называет "
        "ни голосовавших в s17, ни семерых, голосовавших \u00abза\u00bb в s25).",
    ),
    "standing_desc": (
        "A grid with one row per person and one column per step of the crisis; each mark is coloured by the "
        "side it shows and names its sentence. The table below has the same content.",
        "Režģis: rinda katrai personai, kolonna katram krīzes posmam; katra atzīme iekrāsota pēc nostājas, "
        "ko tā rāda, un nosauc savu teikumu. Zemāk esošajā tabulā ir tas pats saturs.",
        "Сетка: строка на каждое лицо, столбец на каждый шаг кризиса; каждая отметка окрашена по стороне, "
        "которую она показывает, и называет своё предложение. Таблица ниже содержит то же самое.",
    ),
    "standing_table": ("Who stood where, as a table", "Kas kur stāvēja — tabula", "Кто где стоял — таблица"),
    "standing_groups": (
        "Statements about groups as a whole (the source does not list their members)",
        "Apgalvojumi par grupām kopumā (avots nenosauc to dalībniekus)",
        "Утверждения о группах в целом (источник не перечисляет их членов)",
    ),
    "person": ("Person", "Persona", "Лицо"),
    "statement": ("statement", "apgalvojums", "утверждение"),
    "statement_short": ("st.", "apg.", "утв."),
    "not_stated": ("not stated", "nav minēts", "не указано"),
    "as_member": ("as a member of {group}", "kā dalībnieks: {group}", "как член: {group}"),
    "step_conspiracy": ("The conspiracy", "Sazvērestība", "Заговор"),
    "step_speech": ("Speeches", "Runas", "Выступления"),
    "step_vote": ("Vote", "Balsojums", "Голосование"),
    "step_vote_counts": ("{yes} for, {no} against", "{yes} par, {no} pret", "{yes} за, {no} против"),
    "step_decision": ("Resolution", "Lēmums", "Постановление"),
    "step_after": ("Afterwards", "Pēc tam", "После"),
    "side_against": ("acts against {name}", "vērsts pret: {name}", "против: {name}"),
    "side_for": (
        "for {name}, or against the group", "par: {name}, vai pret grupu", "за: {name}, или против группы"
    ),
    "side_changed": ("changes position", "maina viedokli", "меняет позицию"),
    "side_target": ("aimed at by others", "vērsts pret viņu", "направлено против него"),
    "side_other": ("other act", "cita darbība", "другое действие"),
    "mark_Conspiracy": ("in the conspiracy", "sazvērestībā", "в заговоре"),
    "mark_Criticism": ("criticises", "kritizē", "критикует"),
    "mark_Accusation": ("accuses", "apvaino", "обвиняет"),
    "mark_Objection": ("objects", "iebilst", "возражает"),
    "mark_Proposal": ("proposes", "ierosina", "предлагает"),
    "mark_Support": ("supports", "atbalsta", "поддерживает"),
    "mark_Rejection": ("rejects", "noraida", "отвергает"),
    "mark_ChangeOfPosition": ("changes position", "maina viedokli", "меняет позицию"),
    "mark_RefusalToRecant": ("refuses to repent", "atsakās nožēlot", "не раскаивается"),
    "mark_Declaration": ("declares", "paziņo", "заявляет"),
    "mark_Demand": ("demands", "pieprasa", "требует"),
    "mark_participant": ("takes part", "piedalās", "участвует"),
    "mark_speaker": ("speaks", "runā", "выступает"),
    "mark_target": ("aimed at", "vērsts pret viņu", "адресат"),
    "mark_target-Conspiracy": ("its target", "tās mērķis", "его цель"),
    "mark_target-Criticism": ("criticised", "kritizēts", "критикуется"),
    "mark_target-Accusation": ("accused", "apvainots", "обвиняется"),
    "mark_target-Objection": ("objected to", "iebilst pret viņu", "возражают ему"),
    "mark_target-Proposal": ("a proposal on him", "ierosinājums par viņu", "предложение о нём"),
    "mark_target-Demand": ("a demand on him", "prasība viņam", "требование к нему"),
    "mark_target-Support": ("supported", "atbalstīts", "поддержан"),
    "mark_target-Dismissal": ("dismissed", "atlaists", "снят с постов"),
    "mark_vote-yes": ("votes for", "balso par", "голосует за"),
    "mark_vote-no": ("votes against", "balso pret", "голосует против"),
    "mark_Condemnation": ("condemned", "nosodīts", "осуждён"),
    "mark_ExpulsionFrom": ("expelled", "izslēgts", "исключён"),
    "mark_RemovalFromPost": ("removed", "atcelts", "снят"),
    # query results for browsers (server/site/results.py)
    "results_title": ("Query results", "Vaicājuma rezultāti", "Результаты запроса"),
    "results_formats": ("The same result as", "Tas pats rezultāts formātā", "Тот же результат в формате"),
    "results_editor": (
        "open in the query editor", "atvērt vaicājumu redaktorā", "открыть в редакторе запросов"
    ),
    "results_rows": ("{n} rows", "{n} rindas", "строк: {n}"),
    "results_shown": ("the first {n} shown", "parādītas pirmās {n}", "показаны первые {n}"),
    "results_true": ("yes (true)", "jā (true)", "да (true)"),
    "results_false": ("no (false)", "nē (false)", "нет (false)"),
    "results_subject": ("Subject", "Subjekts", "Субъект"),
    "results_predicate": ("Predicate", "Predikāts", "Предикат"),
    "results_object": ("Object", "Objekts", "Объект"),
}
_ROLE_WORDS = {
    "participant": ("participant", "dalībnieks", "участник"),
    "speaker": ("speaker", "runātājs", "выступающий"),
    "target": ("target", "mērķis", "адресат"),
    "chair": ("chair", "vadītājs", "председатель"),
    "voter": ("voter", "balsotājs", "голосующий"),
    "affected": ("affected", "skartais", "затронут"),
}


def strings(lang: str) -> dict[str, str]:
    """The interface words in ``lang`` (en, lv, ru)."""
    i = LANGS.index(pick_lang(lang))
    return {k: v[i] for k, v in _STRINGS.items()}


def _size(n) -> str:
    if n is None:
        return ""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["size"] = _size
    return env


ENV = _env()


def _context(lang: str, path: str, base: str | None) -> dict:
    lang = pick_lang(lang)

    def href(link) -> str | None:
        """The link's address; local pages of the dataset keep the page language."""
        if not link:
            return None
        return views.page_href(link["href"] if isinstance(link, dict) else link, lang)

    def role(name: str) -> str:
        return _ROLE_WORDS[name][LANGS.index(lang)] if name in _ROLE_WORDS else name

    path = path or "/"
    switch = [
        {"lang": code, "name": LANG_NAMES[code], "href": f"{path}?lang={code}", "current": code == lang}
        for code in LANGS
    ]
    t = strings(lang)
    license_html = (
        escape(t["license_text"])
        .replace(
            "{license}", Markup('<a rel="license" href="{}">{}</a>').format(LICENSE["href"], LICENSE["name"])
        )
        .replace(
            "{article}", Markup('<a lang="lv" href="{}">«{}»</a>').format(ARTICLE["href"], ARTICLE["title"])
        )
    )
    return {
        "lang": lang,
        "t": t,
        "href": href,
        "role": role,
        "langs": switch,
        "path": path,
        "base": base,
        "license": LICENSE,
        "license_html": license_html,
    }


def page_context(lang: str, path: str, base: str | None) -> dict:
    """What every template of base.html needs (language, interface words, links, license) for other
    modules of the site that render a page."""
    return _context(lang, path, base)


def render_resource(view: dict, *, path: str | None = None, alternates: list[dict] | None = None,
                    cite: dict | None = None, jsonld=None) -> str:
    """The HTML page of a resource from ``views.resource_view``. ``path``: the page's own path (for the
    language switch; default the resource's local path); ``alternates``: [{type, href}] for <link
    rel="alternate">."""
    lang, base = view["lang"], view.get("base")
    ctx = _context(lang, path or views.local_path(view["iri"], base) or "/", base)
    pictures = {}
    if view.get("timeline"):
        pictures["posts"] = Markup(
            svg.person_posts(view["timeline"], lang, title=ctx["t"]["timeline"], words=ctx["t"])
        )
    if view.get("vote"):
        pictures["vote"] = Markup(svg.vote_chart(view["vote"], lang))
    session_votes = [Markup(svg.vote_chart(v, lang)) for v in (view.get("session") or {}).get("votes", [])]
    return ENV.get_template("resource.html").render(
        ctx,
        view=view,
        pictures=pictures,
        standing=view.get("standing"),
        session_votes=session_votes,
        alternates=alternates or [],
        article=ARTICLE,
        cite=cite,
        jsonld=jsonld,
    )


def resource_page(
    store,
    iri: str,
    lang: str = DEFAULT_LANG,
    *,
    path: str | None = None,
    alternates: list[dict] | None = None,
) -> str | None:
    """``render_resource(views.resource_view(store, iri, lang))``, or None when the dataset does not know
    ``iri`` (the caller answers 404 with ``not_found_page``). ValueError for an invalid IRI."""
    view = views.resource_view(store, iri, lang)
    if view is None:
        return None
    if "session" in view["kinds"]:  # the June 1957 sessions show who stood where
        view["standing"] = standing_section(store, view["lang"], current=iri)
    return render_resource(view, path=path, alternates=alternates,
                           cite=citation.citation(store, iri=iri, label=view["label"]),
                           jsonld=structured.script(structured.thing(store, iri)))


def standing_section(store, lang: str, current: str | None = None) -> Markup | None:
    """Who stood where (picture, table, group statements) as an HTML section, or None when the build has no
    such steps or ``current`` is a session that is not one of them. Rendered once per store, language and
    page (a served store never changes; the section is a third of a session page's rendering time)."""
    memo = views.store_memo(store).setdefault("standing_html", {})
    key = (pick_lang(lang), current)
    if key not in memo:
        ctx = _context(lang, "/", store.manifest.get("base"))
        stood = standing.standing_view(store, ctx["lang"], ctx["t"])
        html = None
        if stood and (current is None or current in stood["sessions"]):
            chart = Markup(svg.standing_chart(stood, ctx["lang"], words=ctx["t"], current=current))
            html = Markup(ENV.get_template("_standing.html").render(ctx, standing=stood, chart=chart))
        memo[key] = html
    return memo[key]


def landing_page(
    store, lang: str = DEFAULT_LANG, *, queries_dir: Path | str | None = QUERIES, path: str = "/"
) -> str:
    """The landing page: what the dataset is, counts, license and attribution, the episode timeline, an index,
    the example queries (``queries/*.rq``) and the downloads."""
    lang = pick_lang(lang)
    view = views.landing_view(store, lang, queries_dir)
    ctx = _context(lang, path, store.manifest.get("base"))
    items, undated = views.episode_items(store, lang), views.undated_items(store, lang)
    timeline = Markup(svg.episode_timeline(items, lang, words=ctx["t"], undated=undated))
    return ENV.get_template("landing.html").render(
        ctx, view=view, timeline=timeline, items=items, undated=undated,
        standing=standing_section(store, lang), article=ARTICLE, cite=citation.citation(store),
        jsonld=structured.script(structured.dataset(store)), alternates=DATASET_ALTERNATES)


def downloads_page(store, lang: str = DEFAULT_LANG, *, path: str = "/download") -> str:
    """The list of dumps (from manifest.json) with sizes, media types, triples and SHA-256, linked to
    ``/download/{file}``."""
    lang = pick_lang(lang)
    view = views.landing_view(store, lang, None)
    ctx = _context(lang, path, store.manifest.get("base"))
    return ENV.get_template("downloads.html").render(ctx, view=view, article=ARTICLE,
                                                     cite=citation.citation(store),
                                                     jsonld=structured.script(structured.dataset(store)),
                                                     alternates=DATASET_ALTERNATES)


def corrections_page(store, lang: str = DEFAULT_LANG, *, path: str = "/corrections") -> str:
    """Every editorial correction of the data graph (server/site/corrections.py): factual corrections, then
    the
    typo normalisations in labels."""
    lang = pick_lang(lang)
    found = corrections.corrections(store, views.Labeller(store, lang))
    ctx = _context(lang, path, store.manifest.get("base"))
    return ENV.get_template("corrections.html").render(
        ctx, corrections=found, article=ARTICLE, cite=citation.citation(store), alternates=DATA_ALTERNATES,
        jsonld=structured.script(structured.page(store, ctx["t"]["corrections"])))


def fragments_page(store, lang: str = DEFAULT_LANG, *, view: dict, path: str = "/fragments") -> str:
    """A Triple Pattern Fragment for people (server/site/fragments.py gives ``view``)."""
    lang = pick_lang(lang)
    ctx = _context(lang, path, store.manifest.get("base"))
    return ENV.get_template("fragments.html").render(
        ctx, view=view, alternates=view["alternates"], article=ARTICLE, cite=citation.citation(store),
        jsonld=structured.script(structured.page(store, ctx["t"]["fragments"])))


def search_page(q: str, groups: list[dict], lang: str = DEFAULT_LANG, *, base: str | None = None) -> str:
    """The results of a search (server/site/search.py ``results``), grouped by kind."""
    ctx = _context(lang, "/search", base)
    ctx["langs"] = [dict(sw, href=sw["href"] + (f"&q={quote(q)}" if q else "")) for sw in ctx["langs"]]
    return ENV.get_template("search.html").render(ctx, q=q, groups=groups, article=ARTICLE)


def not_found_page(lang: str = DEFAULT_LANG, *, path: str = "/", iri: str | None = None) -> str:
    """The 404 page for ``path`` (and the IRI it stands for, if any)."""
    ctx = _context(lang, path, None)
    return ENV.get_template("404.html").render(ctx, missing=path, iri=iri, article=ARTICLE)
