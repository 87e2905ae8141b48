// Suggestions for the grant form's person field: accounts whose name, e-mail address or
// user name contains what the clerk typed, offered through the field's <datalist>.
// Without JavaScript the field still takes a user name or e-mail address.
(function () {
  "use strict";
  var input = document.querySelector("input[list='people-suggestions']");
  var list = document.getElementById("people-suggestions");
  var status = document.getElementById("people-status");
  if (!input || !list || !status) { return; }
  var timer = null;
  var asked = "";

  function show(people) {
    list.replaceChildren();
    people.forEach(function (p) {
      var option = document.createElement("option");
      option.value = p.value;
      option.label = p.label;
      option.textContent = p.label;
      list.appendChild(option);
    });
    status.textContent = people.length
      ? status.dataset.some.replace("{n}", String(people.length))
      : status.dataset.none;
  }

  function ask() {
    var text = input.value.trim();
    if (text.length < 2 || text === asked) { return; }
    asked = text;
    fetch(status.dataset.url + "?q=" + encodeURIComponent(text), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : [];
    }).then(function (people) {
      if (input.value.trim() === text) { show(people); }
    }).catch(function () { /* no suggestions: the field still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
})();
