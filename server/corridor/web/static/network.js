/* Collaboration network (Cytoscape.js); data from /views/network.json. */
(function () {
  "use strict";
  var container = document.getElementById("network");
  if (!container || typeof cytoscape === "undefined") return;
  fetch(container.getAttribute("data-source")).then(function (r) { return r.json(); }).then(function (data) {
    var maxProjects = Math.max.apply(null, data.nodes.map(function (n) { return n.projects; }).concat([1]));
    var elements = data.nodes.map(function (n) {
      return { data: { id: n.id, label: n.label, url: n.url, size: 10 + 20 * Math.sqrt(n.projects / maxProjects) } };
    }).concat(data.edges.map(function (e, i) {
      return { data: { id: "e" + i, source: e.source, target: e.target, weight: e.projects }, classes: e.projectLevel ? "project-level" : "" };
    }));
    var cy = cytoscape({
      container: container,
      elements: elements,
      style: [
        { selector: "node", style: { "label": "data(label)", "width": "data(size)", "height": "data(size)", "background-color": "#1f5f8b", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 120, "color": "#1a1a1a" } },
        { selector: "edge", style: { "width": "mapData(weight, 1, 5, 1, 6)", "line-color": "#9bb7cc", "opacity": 0.8 } },
        { selector: "edge.project-level", style: { "line-style": "dashed" } },
        { selector: "node:selected", style: { "background-color": "#c0392b" } }
      ],
      layout: data.nodes.length > 300 ? { name: "grid" } : { name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 1200000; }, idealEdgeLength: function () { return 90; }, nodeOverlap: 40, componentSpacing: 120 },
      wheelSensitivity: 0.3
    });
    cy.on("tap", "node", function (evt) { window.location.href = evt.target.data("url"); });
    window.corridorNetwork = cy;
    container.setAttribute("data-nodes", String(cy.nodes().length));
    container.setAttribute("data-edges", String(cy.edges().length));
    var status = document.getElementById("network-status");
    if (status) status.textContent = cy.nodes().length + " nodes, " + cy.edges().length + " links. Select a node to open it.";
  });
})();
