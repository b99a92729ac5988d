// Item editor: show only the fields of the chosen listening question form (mcq or gap).
(function () {
  "use strict";
  function sync() {
    var select = document.getElementById("question_kind");
    if (!select) { return; }
    document.querySelectorAll("[data-question-kind]").forEach(function (block) {
      block.hidden = block.getAttribute("data-question-kind") !== select.value;
    });
  }
  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "question_kind") { sync(); }
  });
})();
