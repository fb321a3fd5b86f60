/* YASGUI against the local endpoint, with the example queries and a small chart plugin. */
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  if (!root || typeof Yasgui === "undefined") return;
  var examples = JSON.parse(document.getElementById("example-queries").textContent);
  var endpoint = new URL(root.getAttribute("data-endpoint"), window.location.href).href;

  function numeric(binding) {
    return binding && binding.type === "literal" && binding.value !== "" && !isNaN(Number(binding.value));
  }

  /* Bar chart of the first numeric column against the first other column (SVG, no libraries). */
  function ChartPlugin(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Chart"; this.hideFromSelection = false; }
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
    var cap = document.createElement("caption"); cap.textContent = value + " by " + label; table.appendChild(cap);
    items.forEach(function (i) {
      var tr = document.createElement("tr");
      var a = document.createElement("td"); a.textContent = i.label;
      var b = document.createElement("td"); b.className = "num"; b.textContent = i.value.toLocaleString();
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
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    populateFromUrl: true,
    persistenceId: null,
    yasqe: { autocompleters: ["variables"], resizeable: true },
    yasr: { pluginOrder: ["table", "chart", "response"], defaultPlugin: "table" }
  });
  window.corridorYasgui = yasgui;
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
