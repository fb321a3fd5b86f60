/* Facets apply as they are ticked: the form is submitted on every change (no button). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    var button = form.querySelector("button.apply");
    if (button) button.hidden = true;
    form.addEventListener("change", function () { form.submit(); });
  });
})();
