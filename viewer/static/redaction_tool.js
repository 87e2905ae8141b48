// Redaction on the deep-zoom image, for staff: the page's redacted regions outlined, and
// "Bereich markieren" to drag a region over the image, which fills in the redaction form.
// Without it the form's percentages can be typed; the server decides and checks everything.
(function () {
  "use strict";
  var figure = document.querySelector("figure.page[data-iiif-info]");
  var viewer = window.bauakteDeepZoom;
  if (!figure || !viewer || !window.OpenSeadragon) { return; }
  var OSD = window.OpenSeadragon;

  function pageRect(box) {  // fractions of the page -> the viewer's coordinates
    var item = viewer.world.getItemAt(0);
    var size = item.getContentSize();
    return item.imageToViewportRectangle(box[0] * size.x, box[1] * size.y,
                                         box[2] * size.x, box[3] * size.y);
  }
  function outline(box, className) {
    var element = document.createElement("div");
    element.className = className;
    viewer.addOverlay({ element: element, location: pageRect(box) });
    return element;
  }
  function whenOpen(run) {
    if (viewer.world.getItemCount()) { run(); } else { viewer.addOnceHandler("open", run); }
  }
  whenOpen(function () {
    JSON.parse(figure.dataset.redactions || "[]").forEach(function (box) {
      outline(box, "redaction");
    });
  });

  var button = document.querySelector("[data-action=mark-region]");
  var form = document.getElementById("redaction-form");
  if (!button || !form) { return; }
  var fields = ["left", "top", "width", "height"].map(function (side) {
    return form.elements[side];
  });
  var marking = false;
  var start = null;
  var preview = null;

  function toPage(position) {  // a point on the viewer's element -> fractions of the page
    var item = viewer.world.getItemAt(0);
    var size = item.getContentSize();
    var point = item.viewerElementToImageCoordinates(position);
    return { x: Math.min(Math.max(point.x / size.x, 0), 1),
             y: Math.min(Math.max(point.y / size.y, 0), 1) };
  }
  function setMarking(on) {
    marking = on;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    viewer.setMouseNavEnabled(!on);
    figure.classList.toggle("marking", on);
  }
  function show(a, b) {
    var box = [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(a.x - b.x), Math.abs(a.y - b.y)];
    if (preview) { viewer.removeOverlay(preview); }
    preview = outline(box, "redaction proposed");
    box.forEach(function (value, i) { fields[i].value = (value * 100).toFixed(2); });
  }
  button.addEventListener("click", function () { setMarking(!marking); });
  document.addEventListener("keydown", function (event) {
    if (marking && event.key === "Escape") {
      start = null;
      setMarking(false);
      button.focus();
    }
  });
  new OSD.MouseTracker({
    element: viewer.canvas,
    pressHandler: function (event) {
      if (marking) { start = toPage(event.position); }
    },
    dragHandler: function (event) {
      if (marking && start) { show(start, toPage(event.position)); }
    },
    releaseHandler: function (event) {
      if (!marking || !start) { return; }
      show(start, toPage(event.position));
      start = null;
      setMarking(false);
      form.elements.reason.focus();
    },
  });
})();
