/* The page's words (<script id="ui-strings">, in the interface language), for the page's other
   scripts: corridorSay(key, params) fills "%(name)s" from params; of a pair of forms it picks
   by params.n (one, or any other number); numbers are written the interface language's way. */
(function () {
  "use strict";
  var STRINGS = JSON.parse((document.getElementById("ui-strings") || {}).textContent || "{}");
  var LANG = document.documentElement.lang || "en";
  window.corridorSay = function (key, params) {
    var text = STRINGS[key] || key;
    params = params || {};
    if (Array.isArray(text)) text = text[params.n === 1 ? 0 : 1];
    return text.replace(/%\((\w+)\)s/g, function (_, name) {
      var v = params[name];
      return typeof v === "number" ? v.toLocaleString(LANG) : String(v);
    });
  };
})();
