/* YASGUI against the local endpoint, with the example queries and a small chart plugin. */
(function () {
  "use strict";
  var say = window.corridorSay;  // static/strings.js
  var LANG = document.documentElement.lang || "en";
  var root = document.getElementById("yasgui");
  if (!root || typeof Yasgui === "undefined") return;
  var examples = JSON.parse(document.getElementById("example-queries").textContent);
  var endpoint = new URL(root.getAttribute("data-endpoint"), window.location.href).href;
  var settings = JSON.parse(document.getElementById("query-settings").textContent);
  var errorBox = document.getElementById("query-error");

  /* An IRI's page here: minted IRIs under /id/, any other through /resource?iri=. */
  function localPage(iri) {
    if (iri.indexOf(settings.base + "id/") === 0) return "/" + iri.slice(settings.base.length);
    return "/resource?iri=" + encodeURIComponent(iri);
  }
  function shorten(iri) {
    var best = null;
    Object.keys(settings.prefixes).forEach(function (p) {
      var ns = settings.prefixes[p];
      if (iri.indexOf(ns) === 0 && (!best || ns.length > settings.prefixes[best].length)) best = p;
    });
    return best ? best + ":" + iri.slice(settings.prefixes[best].length) : null;
  }
  /* Results: IRIs shown as prefixed names and linked to the local pages (not off-site). */
  function localiseLinks(scope) {
    scope.querySelectorAll(".yasr a[href^='http']").forEach(function (a) {
      var iri = a.getAttribute("href");
      a.setAttribute("href", localPage(iri));
      a.removeAttribute("target");
      a.setAttribute("title", iri);
      a.setAttribute("data-local", "");
      var short = shorten(iri);
      if (!short && iri.indexOf(settings.base + "id/") === 0) {  // .../id/project/boost → project:boost
        var rest = iri.slice(settings.base.length + 3), cut = rest.indexOf("/");
        short = cut > 0 ? rest.slice(0, cut) + ":" + rest.slice(cut + 1) : rest;
      }
      if (!short) return;
      a.textContent = short;
      [a.previousSibling, a.nextSibling].forEach(function (node) {  // the <…> YASR puts around
        if (node && node.nodeType === 3) node.textContent = node.textContent.replace(/^</, "").replace(/>$/, "").replace(/<$/, "").replace(/^>/, "");
      });
    });
  }
  /* YASGUI's own controls in the page's language (it has no translations of its own). */
  function relabel(el, attr, text) { if (el.getAttribute(attr) !== text) el.setAttribute(attr, text); }
  var CONTROLS = [  // selector, attribute, key of the page's words
    [".closeTab", "title", "closeTab"], [".addTab", "title", "addTab"], [".addTab", "aria-label", "addTab"],
    [".tabContextButton", "aria-label", "settings"], [".clearEndpointBtn", "title", "clearEndpoint"],
    [".yasqe_share", "title", "share"], [".yasqe_share", "aria-label", "share"],
    [".yasqe_queryButton", "title", "run"], [".yasqe_queryButton", "aria-label", "run"],
    [".yasr_downloadIcon", "aria-label", "download"]
  ];
  var VIEWS = { table: "viewTable", response: "viewResponse", chart: "chart" };
  function translateControls(scope) {
    CONTROLS.forEach(function (c) {
      scope.querySelectorAll(c[0]).forEach(function (el) { relabel(el, c[1], say(c[2])); });
    });
    Object.keys(VIEWS).forEach(function (name) {
      var view = say(VIEWS[name]);
      scope.querySelectorAll(".select_" + name).forEach(function (button) {
        relabel(button, "title", view);
        relabel(button, "aria-label", say("showView", { view: view }));
        var text = button.querySelector("span:last-child");
        if (text && text.textContent !== view) text.textContent = view;
      });
    });
  }
  /* What YASGUI leaves unlabelled or unreachable for assistive technology. */
  function repair(scope) {
    translateControls(scope);
    scope.querySelectorAll(".yasqe textarea").forEach(function (t) { t.setAttribute("aria-label", say("query")); });
    scope.querySelectorAll("input.autocomplete, .controlbar input").forEach(function (t) {
      if (!t.getAttribute("aria-label")) t.setAttribute("aria-label", say("endpoint"));
    });
    scope.querySelectorAll(".tabsList[role], .tabsList [role=tab]").forEach(function (t) {
      t.removeAttribute("role"); t.removeAttribute("aria-selected"); t.removeAttribute("aria-controls");
    });
    scope.querySelectorAll(".yasr .dataTables_wrapper, .yasr_results").forEach(function (el) {
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
    /* CodeMirror makes its scroller tabindex="-1": a query wider than the editor (a long comment
       line) could then not be scrolled from the keyboard */
    scope.querySelectorAll(".CodeMirror-scroll").forEach(function (el) {
      if (el.getAttribute("tabindex") !== "0") el.setAttribute("tabindex", "0");
    });
    scope.querySelectorAll(".yasr select:not([aria-label]), .yasr input:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", el.getAttribute("placeholder") || el.getAttribute("name") || say("resultsOption"));
    });
  }
  /* A readable syntax error: "line 1, column 26" from the endpoint's "error at 1:26". */
  function showError(text) {
    var m = /error at (\d+):(\d+):?\s*(.*)/.exec(text || "");
    if (!m) { errorBox.hidden = true; return; }
    var line = Number(m[1]), column = Number(m[2]);
    errorBox.textContent = say("syntaxError", { line: line, column: column, message: m[3] });
    errorBox.hidden = false;
    var yasqe = yasgui.getTab().getYasqe();
    yasqe.setCursor({ line: line - 1, ch: Math.max(0, column - 1) });
    yasqe.addLineClass(line - 1, "background", "query-error-line");
  }

  function numeric(binding) {
    return binding && binding.type === "literal" && binding.value !== "" && !isNaN(Number(binding.value));
  }

  /* Bar chart of the first numeric column against the first other column (SVG, no libraries). */
  function ChartPlugin(yasr) { this.yasr = yasr; this.priority = 5; this.label = say("chart"); this.hideFromSelection = false; }
  ChartPlugin.prototype.canHandleResults = function () {
    var r = this.yasr.results;
    if (!r || !r.getBindings || !r.getVariables) return false;
    var rows = r.getBindings() || [];
    var vars = r.getVariables();
    return rows.length > 0 && vars.some(function (v) { return numeric(rows[0][v]); });
  };
  ChartPlugin.prototype.getIcon = function () {
    var span = document.createElement("span"); span.textContent = "▮"; return span;
  };
  ChartPlugin.prototype.draw = function () {
    var rows = this.yasr.results.getBindings(), vars = this.yasr.results.getVariables();
    var value = vars.filter(function (v) { return numeric(rows[0][v]); })[0];
    var texts = vars.filter(function (v) { return v !== value && rows[0][v] && rows[0][v].type === "literal" && !numeric(rows[0][v]); });
    var labelVars = texts.length ? texts : vars.filter(function (v) { return v !== value; }).slice(0, 1);
    var label = labelVars.join(", ") || value;
    var items = rows.slice(0, 50).map(function (row) {
      var text = labelVars.map(function (v) { return row[v] ? row[v].value : ""; }).join(" · ");
      return { label: text, value: row[value] ? Number(row[value].value) : 0 };
    });
    var max = Math.max.apply(null, items.map(function (i) { return Math.abs(i.value); }).concat([1]));
    var table = document.createElement("table"); table.className = "list bars chart";
    var cap = document.createElement("caption"); cap.textContent = say("chartCaption", { value: value, label: label }); table.appendChild(cap);
    items.forEach(function (i) {
      var tr = document.createElement("tr");
      var a = document.createElement("td"); a.textContent = i.label;
      var b = document.createElement("td"); b.className = "num"; b.textContent = i.value.toLocaleString(LANG);
      var c = document.createElement("td"); c.className = "bar-cell";
      var bar = document.createElement("span"); bar.className = "bar"; bar.style.width = (100 * Math.abs(i.value) / max) + "%";
      c.appendChild(bar); tr.appendChild(a); tr.appendChild(b); tr.appendChild(c); table.appendChild(tr);
    });
    this.yasr.resultsEl.appendChild(table);
  };
  Yasgui.Yasr.registerPlugin("chart", ChartPlugin);

  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    tabName: say("tabName"),
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    populateFromUrl: true,
    persistenceId: null,
    yasqe: { autocompleters: ["variables"], resizeable: true },
    yasr: { pluginOrder: ["table", "chart", "response"], defaultPlugin: "table", prefixes: settings.prefixes }
  });
  window.corridorYasgui = yasgui;
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; repair(root); localiseLinks(root); });
  }).observe(root, { childList: true, subtree: true });
  repair(root);
  function watch(tab) {
    var yasqe = tab.getYasqe();
    yasqe.on("query", function () {
      errorBox.hidden = true;
      for (var i = 0; i < yasqe.lineCount(); i++) yasqe.removeLineClass(i, "background", "query-error-line");
    });
    yasqe.on("queryResponse", function (instance, response) {
      if (response instanceof Error) showError(response.message);  // YASQE throws the body
    });
  }
  watch(yasgui.getTab());
  var tab = yasgui.getTab();
  var fromUrl = new URLSearchParams(window.location.search).get("query") || window.location.hash.indexOf("query=") >= 0;
  if (tab && !fromUrl && examples.length) {
    tab.setQuery(examples[0].query);
  }
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-example");
      var example = examples.filter(function (e) { return e.id === id; })[0];
      if (!example) return;
      var current = yasgui.getTab();
      current.setQuery(example.query);
      current.setName(example.title);
      current.query();
    });
  });
})();
