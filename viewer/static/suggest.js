// Suggestions as you type, for every input with data-suggest (the URL that answers
// ?q=... with [{value, label}]): a person for a grant or the trail filter, a building
// file for an inbox document.  They fill the input's own <datalist>; a polite status
// line says how many there are.  Without JavaScript every such field still takes the
// exact value (a user name or e-mail address, an Aktenzeichen).
(function () {
  "use strict";

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var status = document.getElementById(input.dataset.suggestStatus);
    if (!list || !status) { return; }
    var timer = null;
    var asked = "";

    function show(found) {
      list.replaceChildren();
      found.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.value;
        option.label = item.label;
        option.textContent = item.label;
        list.appendChild(option);
      });
      status.textContent = found.length
        ? status.dataset.some.replace("{n}", String(found.length))
        : status.dataset.none;
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < 2 || text === asked) { return; }
      asked = text;
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : [];
      }).then(function (found) {
        if (input.value.trim() === text) { show(found); }
      }).catch(function () { /* no suggestions: the field still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
  }

  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
