// Deep zoom of the page image with OpenSeadragon, reading the page's IIIF Image service.
// Without this script (or OpenSeadragon) the plain page image and the zoom links serve.
(function () {
  "use strict";
  var figure = document.querySelector("figure.page[data-iiif-info]");
  var tools = document.getElementById("deep-zoom-tools");
  if (!figure || !tools || !window.OpenSeadragon) { return; }

  var mount = document.createElement("div");
  mount.className = "deep-zoom";
  mount.id = "deep-zoom";
  figure.appendChild(mount);

  var viewer = window.OpenSeadragon({
    element: mount,
    tileSources: figure.dataset.iiifInfo,
    showNavigationControl: false,  // our own buttons: labelled, translated, keyboard-operable
    showRotationControl: false,
    gestureSettingsMouse: { clickToZoom: false },  // a click only focuses; the wheel zooms
    visibilityRatio: 0.5,
    minZoomImageRatio: 0.5,
    maxZoomPixelRatio: 2,
    crossOriginPolicy: false,
    loadTilesWithAjax: false,
    preserveViewport: true,
  });

  viewer.addOnceHandler("open", function () {
    figure.classList.add("deep-zoom-on");
    figure.removeAttribute("tabindex");  // the viewer's canvas takes the focus instead
    var image = figure.querySelector("img");
    if (image) { image.hidden = true; }
    viewer.canvas.setAttribute("role", "region");
    viewer.canvas.setAttribute("aria-label", figure.dataset.deepZoomLabel);
    viewer.addControl(tools, { anchor: window.OpenSeadragon.ControlAnchor.TOP_LEFT,
                               autoFade: false });
    tools.hidden = false;
    document.body.classList.add("deep-zoom-page");
  });
  viewer.addOnceHandler("open-failed", function () {
    mount.remove();  // the plain page image stays
  });

  // + and - zoom a step as the buttons do (OpenSeadragon's own keys zoom 1 % a frame while held)
  var keySteps = { "+": 1.5, "=": 1.5, "-": 1 / 1.5 };
  viewer.addHandler("canvas-key", function (event) {
    var key = event.originalEvent.key;
    if (!keySteps[key] || event.originalEvent.ctrlKey || event.originalEvent.metaKey) { return; }
    event.preventDefaultAction = true;
    event.originalEvent.preventDefault();
    viewer.viewport.zoomBy(keySteps[key]);
    viewer.viewport.applyConstraints();
  });

  var full = tools.querySelector("[data-action=full-screen]");
  viewer.addHandler("full-screen", function (event) {
    full.setAttribute("aria-pressed", event.fullScreen ? "true" : "false");
  });

  var actions = {
    "zoom-in": function () { viewer.viewport.zoomBy(1.5); },
    "zoom-out": function () { viewer.viewport.zoomBy(1 / 1.5); },
    "home": function () { viewer.viewport.goHome(); },
    "rotate-left": function () { viewer.viewport.setRotation(viewer.viewport.getRotation() - 90); },
    "rotate-right": function () { viewer.viewport.setRotation(viewer.viewport.getRotation() + 90); },
    "full-screen": function () { viewer.setFullScreen(!viewer.isFullPage()); },
  };
  tools.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button || !actions[button.dataset.action]) { return; }  // others have their own script
    actions[button.dataset.action]();
    viewer.viewport.applyConstraints();
  });
  // Search hits on the page: boxes over the words the search matched, stepped through in turn.
  var hits = [];
  var current = -1;
  var steps = tools.querySelector(".hit-steps");
  var counter = tools.querySelector(".hit-count");
  function showHit(index) {
    if (!hits.length) { return; }
    current = (index + hits.length) % hits.length;
    hits.forEach(function (hit, i) { hit.element.classList.toggle("current", i === current); });
    var r = hits[current].rect;
    var margin = Math.max(r.width, r.height) * 4;
    viewer.viewport.fitBoundsWithConstraints(new window.OpenSeadragon.Rect(
      r.x - margin, r.y - margin, r.width + 2 * margin, r.height + 2 * margin));
    counter.textContent = figure.dataset.hitsLabel
      .replace("{n}", current + 1).replace("{count}", hits.length);
  }
  function drawHits(found) {
    var item = viewer.world.getItemAt(0);
    var size = item.getContentSize();
    found.forEach(function (hit) {
      var box = hit.box;
      var rect = item.imageToViewportRectangle(box[0] * size.x, box[1] * size.y,
                                               box[2] * size.x, box[3] * size.y);
      var element = document.createElement("div");
      element.className = "hit";
      viewer.addOverlay({ element: element, location: rect });
      hits.push({ element: element, rect: rect });
    });
    if (hits.length) {
      steps.hidden = false;
      figure.dataset.hits = String(hits.length);
      showHit(0);
    }
  }
  actions["next-hit"] = function () { showHit(current + 1); };
  actions["previous-hit"] = function () { showHit(current - 1); };
  if (figure.dataset.hitsUrl && window.fetch) {
    viewer.addOnceHandler("open", function () {
      fetch(figure.dataset.hitsUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
        .then(function (body) { drawHits(body.hits || []); })
        .catch(function () { /* the hit list below the page still names the pages */ });
    });
  }
  window.bauakteDeepZoom = viewer;  // for the browser tests
})();
