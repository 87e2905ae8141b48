// Keyboard shortcuts of the document viewer: arrows turn pages, + and - zoom.
// Links do the work; without this script every function stays reachable.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var viewer = document.getElementById("viewer");
    if (!viewer || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                   target.tagName === "SELECT" || target.isContentEditable ||
                   target.closest("figure.page"))) { return; }  // the image scrolls there
    var keys = { ArrowLeft: "prev", ArrowRight: "next", "+": "zoomIn", "-": "zoomOut" };
    var name = keys[event.key];
    var url = name && viewer.dataset[name];
    if (url) {
      event.preventDefault();
      window.location.assign(url);
    }
  });
})();

// Upload status: poll the JSON status while the batch is not done and update the table.
(function () {
  "use strict";
  var state = document.getElementById("upload-state");
  if (!state) { return; }
  var labels = {};
  var template = document.getElementById("outcome-labels");
  if (template) {
    template.content.querySelectorAll("[data-key]").forEach(function (el) {
      labels[el.dataset.key] = el.textContent;
    });
  }
  function update(body) {
    state.dataset.status = body.status;
    state.textContent = labels["status-" + body.status] || body.status;
    body.files.forEach(function (file) {
      var row = document.querySelector('#upload-files tr[data-name="' + CSS.escape(file.name) + '"]');
      if (!row) { return; }
      var working = !file.outcome && file.pages_total;
      var key = file.outcome || (working ? "working" : "waiting");
      var cell = row.querySelector(".outcome");
      cell.className = "outcome outcome-" + key;
      cell.textContent = labels[key] || key;
      if (working) { cell.appendChild(pages(file.pages_done || 0, file.pages_total)); }
      if (file.document_id) { linked(row, cell, file); }
      var reason = row.querySelector(".reason");
      reason.textContent = file.reason || "";
      if (file.correct_url) {
        reason.appendChild(document.createTextNode(" "));
        reason.appendChild(correctLink(file));
      }
    });
  }
  function correctLink(file) {
    // a file refused for its manifest row waits for the row put right
    var link = document.createElement("a");
    link.className = "correct";
    link.href = file.correct_url;
    link.textContent = labels.correct || "";
    var hidden = document.createElement("span");  // which file, for a screen reader's list
    hidden.className = "visually-hidden";
    hidden.textContent = " (" + file.name + ")";
    link.appendChild(hidden);
    return link;
  }
  function linked(row, cell, file) {
    // a finished file links to its document; a duplicate also says where the copy is
    var base = document.getElementById("upload-files").dataset.documents;
    var name = row.querySelector("td");
    if (!name.querySelector("a")) {
      var link = document.createElement("a");
      link.href = base + file.document_id;
      link.textContent = file.name;
      name.replaceChildren(link);
    }
    if (file.outcome === "duplicate") {
      var existing = document.createElement("a");
      existing.href = base + file.document_id;
      existing.textContent = labels.existing || "";
      cell.appendChild(document.createTextNode(" · "));
      cell.appendChild(existing);
    }
  }
  function pages(done, total) {
    var span = document.createElement("span");
    var bar = document.createElement("progress");
    span.className = "pages";
    bar.max = total;
    bar.value = done;
    bar.setAttribute("aria-hidden", "true");
    span.appendChild(bar);
    span.appendChild(document.createTextNode(" " + (labels.pages || "{done} / {total}")
      .replace("{done}", done).replace("{total}", total)));
    return span;
  }
  function poll() {
    if (state.dataset.status === "done") { return; }
    fetch(state.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) { update(body); } window.setTimeout(poll, 1500); })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();

// Street suggestions in the application form, from the city's street list (never the
// archive's addresses). Without this script the field is a plain text field.
(function () {
  "use strict";
  var list = document.getElementById("street-suggestions");
  var input = document.getElementById("street");
  if (!list || !input || !window.fetch) { return; }
  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var typed = input.value.trim();
      if (typed.length < 2) { return; }
      fetch(list.dataset.source + "?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (names) {
          list.replaceChildren.apply(list, names.map(function (name) {
            var option = document.createElement("option");
            option.value = name;
            return option;
          }));
        })
        .catch(function () { /* suggestions are a help, not a need */ });
    }, 200);
  });
})();
