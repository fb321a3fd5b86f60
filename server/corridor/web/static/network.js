/* Collaboration network (Cytoscape.js); data from /views/network.json. Colours come with the
   data (by country); typing in the search box highlights matching nodes and their links. */
(function () {
  "use strict";
  var say = window.corridorSay;  // static/strings.js
  var container = document.getElementById("network");
  if (!container || typeof cytoscape === "undefined") return;
  fetch(container.getAttribute("data-source")).then(function (r) { return r.json(); }).then(function (data) {
    var maxProjects = Math.max.apply(null, data.nodes.map(function (n) { return n.projects; }).concat([1]));
    var elements = data.nodes.map(function (n) {
      return { data: { id: n.id, label: n.label, url: n.url, ego: n.ego, colour: n.colour || "#1f5f8b", size: 14 + 26 * Math.sqrt(n.projects / maxProjects) } };
    }).concat(data.edges.map(function (e, i) {
      return { data: { id: "e" + i, source: e.source, target: e.target, weight: e.projects }, classes: e.projectLevel ? "project-level" : "" };
    }));
    var cy = cytoscape({
      container: container,
      elements: elements,
      style: [
        { selector: "node", style: { "label": "data(label)", "width": "data(size)", "height": "data(size)", "background-color": "data(colour)", "border-width": 1, "border-color": "#fff", "font-size": 13, "min-zoomed-font-size": 7, "text-wrap": "ellipsis", "text-max-width": 150, "color": "#1a1a1a", "text-outline-color": "#fff", "text-outline-width": 2, "text-valign": "bottom", "text-margin-y": 3 } },
        { selector: "edge", style: { "width": "mapData(weight, 1, 5, 1.5, 7)", "line-color": "#9bb7cc", "opacity": 0.8 } },
        { selector: "edge.project-level", style: { "line-style": "dashed" } },
        { selector: ".faded", style: { "opacity": 0.15 } },
        { selector: "node.hit", style: { "border-width": 4, "border-color": "#e8a317", "font-weight": "bold", "z-index": 10 } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#1a1a1a" } }
      ],
      layout: data.nodes.length > 300 ? { name: "grid" } : { name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 1400000; }, idealEdgeLength: function () { return 110; }, nodeOverlap: 40, componentSpacing: 140 },
      wheelSensitivity: 0.3
    });
    cy.on("tap", "node", function (evt) { window.location.href = evt.target.data("url"); });
    cy.on("dbltap", "node", function (evt) { window.location.href = evt.target.data("ego"); });
    window.corridorNetwork = cy;
    container.setAttribute("data-nodes", String(cy.nodes().length));
    container.setAttribute("data-edges", String(cy.edges().length));
    var status = document.getElementById("network-status");
    if (status) status.textContent = say("status", { nodes: cy.nodes().length, links: cy.edges().length });
    var find = document.getElementById("network-find"), found = document.getElementById("network-found");
    if (find) find.addEventListener("input", function () {
      var text = find.value.trim().toLowerCase();
      cy.elements().removeClass("faded hit");
      if (!text) { found.textContent = ""; return; }
      var hits = cy.nodes().filter(function (n) { return n.data("label").toLowerCase().indexOf(text) >= 0; });
      var near = hits.closedNeighborhood();
      cy.elements().not(near).addClass("faded");
      hits.addClass("hit");
      found.textContent = say("found", { n: hits.length });
      container.setAttribute("data-hits", String(hits.length));
    });
  });
})();
