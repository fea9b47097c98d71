// Progress bars poll their job until it finishes, then reload to show the result.
(function () {
  function poll(box) {
    var url = box.getAttribute("data-progress-url");
    var bar = box.querySelector(".progress-bar");
    var text = box.parentNode.querySelector("[data-progress-text]");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.style.width = s.percent + "%";
        if (text) { text.textContent = s.percent + "% " + (s.message || ""); }
        if (s.status === "done" || s.status === "failed") {
          // The heading says how the job ended at once, not only after the reload.
          var heading = document.querySelector("[data-job-heading]");
          var ended = heading && heading.getAttribute("data-heading-" + s.status);
          if (ended) { heading.textContent = ended; }
          window.location.reload();
        }
        else { setTimeout(function () { poll(box); }, 1000); }
      })
      .catch(function () { setTimeout(function () { poll(box); }, 3000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress-url]").forEach(function (box) {
      var status = box.getAttribute("data-status");
      if (status === "queued" || status === "running") { poll(box); }
    });
  });
})();

// On a phone, rows of a `table.stack` become small cards: each cell is labelled with its
// column's header, copied here so that templates need not repeat every header per cell.
(function () {
  function label(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (heads[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", heads[column]);
        }
        column += cell.colSpan || 1;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.stack").forEach(label);
  });
})();

// The column-mapping page: a changed choice refreshes the rows as read without a reload (the
// "Show the rows as read" button does the same without JavaScript).
(function () {
  function refresh(form) {
    var box = document.querySelector("[data-mapping-preview]");
    var data = new FormData(form);
    data.set("action", "preview");
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", body: data, credentials: "same-origin"
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (reply) { if (reply && box) { box.innerHTML = reply.html; } })
      .catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-mapping-form]");
    if (form) { form.addEventListener("change", function () { refresh(form); }); }
  });
})();
