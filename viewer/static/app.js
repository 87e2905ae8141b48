// Keyboard shortcuts of the document viewer: arrows turn pages, + and - zoom.
// Links do the work; without this script every function stays reachable.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var viewer = document.getElementById("viewer");
    if (!viewer || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                   target.tagName === "SELECT" || target.isContentEditable)) { return; }
    var keys = { ArrowLeft: "prev", ArrowRight: "next", "+": "zoomIn", "-": "zoomOut" };
    var name = keys[event.key];
    var url = name && viewer.dataset[name];
    if (url) {
      event.preventDefault();
      window.location.assign(url);
    }
  });
})();
