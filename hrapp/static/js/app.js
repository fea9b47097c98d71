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
        if (s.status === "done" || s.status === "failed") { window.location.reload(); }
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
