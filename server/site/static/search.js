// Suggestions as you type for the search box in every page's header (server/site/search.py).
// Progressive enhancement: without this script the box is a plain GET form to /search.
// The list is an ARIA combobox: arrow keys move, Enter opens the highlighted page, Escape closes.
(function () {
  "use strict";
  function setUp(form) {
    var input = form.querySelector("input[data-suggest]");
    if (!input) return;
    var lang = form.querySelector("input[name=lang]");
    var list = document.createElement("ul");
    list.id = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var active = -1, timer = null, asked = "";

    function options() { return list.querySelectorAll("li"); }
    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      var items = options();
      if (!items.length) return;
      active = (i + items.length) % items.length;
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    }
    function show(data) {
      list.textContent = "";
      var names = data[1] || [], kinds = data[2] || [], urls = data[3] || [];
      names.forEach(function (name, i) {
        var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
        li.id = "search-suggestion-" + i;
        li.setAttribute("role", "option");
        a.href = urls[i];
        a.textContent = name;
        kind.className = "kind";
        kind.textContent = kinds[i];
        a.appendChild(kind);
        li.appendChild(a);
        list.appendChild(li);
      });
      active = -1;
      list.hidden = names.length === 0;
      input.setAttribute("aria-expanded", names.length ? "true" : "false");
    }
    function ask() {
      var q = input.value.trim();
      if (q === asked) return;
      asked = q;
      if (!q) { close(); return; }
      var url = input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q) +
        (lang ? "&lang=" + encodeURIComponent(lang.value) : "");
      fetch(url, { headers: { Accept: "application/x-suggestions+json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && data[0] === input.value.trim()) show(data); })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        window.location.href = options()[active].querySelector("a").href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
  }
  document.querySelectorAll("form.search").forEach(setUp);
})();
