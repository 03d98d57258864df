// Live password policy: marks each rule as met or unmet while the user types.
// The server checks the same rules; this only helps the user before submitting.
(function () {
  "use strict";
  var SPECIALS = /[^A-Za-z0-9\s]/g;

  function rules(password, email) {
    var local = (email || "").split("@")[0].toLowerCase();
    return {
      length: password.length >= 12,
      upper: /[A-Z]/.test(password),
      lower: /[a-z]/.test(password),
      digit: /[0-9]/.test(password),
      special: (password.match(SPECIALS) || []).length >= 2,
      email: !local || password.toLowerCase().indexOf(local) === -1
    };
  }

  function update(input) {
    var status = rules(input.value, input.getAttribute("data-policy-email"));
    var items = document.querySelectorAll("#policy [data-rule]");
    var french = document.documentElement.lang === "fr";
    Array.prototype.forEach.call(items, function (item) {
      var met = status[item.getAttribute("data-rule")];
      item.classList.toggle("met", met && input.value.length > 0);
      item.classList.toggle("unmet", !met && input.value.length > 0);
      // The live region announces text, not classes, so each rule also states in words whether it is met.
      var state = item.querySelector(".rule-state");
      if (!state) {
        state = document.createElement("span");
        state.className = "visually-hidden rule-state";
        item.appendChild(state);
      }
      var label = "";
      if (input.value.length > 0 && met) {
        label = french ? " : respectée" : ": met";
      } else if (input.value.length > 0) {
        label = french ? " : non respectée" : ": not met";
      }
      state.textContent = label;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("[data-policy-email]");
    if (input) {
      input.addEventListener("input", function () { update(input); });
    }
  });
})();

// Ticket form cascade: contract -> services, products, sites; product -> versions.
// Options of other contracts are disabled and hidden; the server checks the combination anyway.
(function () {
  "use strict";

  function filterOptions(selector, attribute, value) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (element) {
      var owner = element.getAttribute(attribute);
      var visible = !owner || owner === value;
      element.hidden = !visible;
      var control = element.tagName === "OPTION" ? element : element.querySelector("input");
      if (control) {
        control.disabled = !visible;
        if (!visible && control.tagName === "OPTION" && control.selected) { control.selected = false; }
        if (!visible && control.type === "checkbox") { control.checked = false; }
      }
    });
  }

  function refresh() {
    var contract = document.getElementById("contractId");
    var product = document.getElementById("productId");
    if (!contract || !product) { return; }
    filterOptions("#ticket-form [data-contract]", "data-contract", contract.value);
    filterOptions("#versionId option[data-product]", "data-product", product.value);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("ticket-form");
    if (!form) { return; }
    form.addEventListener("change", function (event) {
      if (event.target.id === "contractId" || event.target.id === "productId") { refresh(); }
    });
    refresh();
  });
})();

// Attachment upload: the file goes as the raw request body to the gateway's streaming route.
// The custom header makes any cross-site attempt need a CORS preflight, which the server never grants.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.upload"), function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var input = form.querySelector("input[type=file]");
        var error = form.querySelector("[data-upload-error]");
        if (!input.files.length) { return; }
        var file = input.files[0];
        var url = form.getAttribute("data-upload-url") + "?filename=" + encodeURIComponent(file.name);
        fetch(url, {
          method: "POST", body: file, credentials: "same-origin",
          headers: {"Content-Type": file.type || "application/octet-stream", "X-Requested-With": "portail"}
        }).then(function (response) {
          if (response.ok) { window.location.reload(); return null; }
          return response.json().then(function (body) {
            var fields = (body.fields || []).map(function (item) { return item.message; });
            error.textContent = fields.length ? fields.join(" ") : body.message;
            error.hidden = false;
          });
        }).catch(function () {
          error.textContent = document.documentElement.lang === "fr"
            ? "L'envoi du fichier a échoué ; réessayez." : "The upload failed; try again.";
          error.hidden = false;
        });
      });
    });
  });
})();

// FAQ suggestions while the ticket title is typed: a same-origin GraphQL query, debounced.
(function () {
  "use strict";
  var QUERY = "query($q: String!) { faqSearch(query: $q, first: 3) { edges { node { id question productName } } } }";

  function show(box, entries) {
    box.textContent = "";
    if (!entries.length) { box.hidden = true; return; }
    var heading = document.createElement("p");
    heading.textContent = box.getAttribute("data-heading");
    var list = document.createElement("ul");
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      item.textContent = entry.question + " (" + entry.productName + ")";
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(list);
    box.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("[data-faq-suggest]");
    if (!input) { return; }
    var box = document.getElementById(input.getAttribute("data-faq-suggest"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 4) { show(box, []); return; }
      timer = setTimeout(function () {
        fetch("/graphql", {
          method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
          body: JSON.stringify({query: QUERY, variables: {q: text}})
        }).then(function (response) { return response.json(); }).then(function (body) {
          var edges = (body.data && body.data.faqSearch && body.data.faqSearch.edges) || [];
          show(box, edges.map(function (edge) { return edge.node; }));
        }).catch(function () { show(box, []); });
      }, 300);
    });
  });
})();

// Move focus to the error summary after a rejected form, so keyboard and screen reader users land on it.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});
