// Drag and drop onto the upload form: the dropped files go into the file field, a CSV or
// JSON file into the manifest field (the server refuses a manifest among the files).
// The plain file fields work without it; the zone only adds the dropping.
(function () {
  "use strict";
  var zone = document.querySelector(".drop-zone");
  if (!zone || typeof DataTransfer === "undefined") { return; }
  var files = document.getElementById(zone.dataset.files);
  var manifest = document.getElementById(zone.dataset.manifest);
  var status = document.getElementById("drop-status");
  zone.querySelector(".drop-hint").hidden = false;

  function isManifest(file) { return /\.(csv|json)$/i.test(file.name); }

  function report() {
    var chosen = manifest.files.length ? manifest.files[0].name : status.dataset.none;
    status.textContent = status.dataset.chosen
      .replace("{files}", String(files.files.length)).replace("{manifest}", chosen);
  }

  function take(dropped) {
    var scans = new DataTransfer();
    var sheet = new DataTransfer();
    Array.prototype.forEach.call(files.files, function (f) { scans.items.add(f); });
    Array.prototype.forEach.call(dropped, function (f) {
      if (isManifest(f) && sheet.files.length === 0) { sheet.items.add(f); } else { scans.items.add(f); }
    });
    files.files = scans.files;
    if (sheet.files.length) { manifest.files = sheet.files; }
    report();
  }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) { take(e.dataTransfer.files); }
  });
  files.addEventListener("change", report);
  manifest.addEventListener("change", report);
})();
