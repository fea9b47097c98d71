// The streamer's what-if: while figures are typed, ask the page's JSON twin for the result and
// show it without reloading. The form works without this script (it submits as a GET).
(function () {
  function enhance(form) {
    var url = form.getAttribute("data-what-if");
    var target = document.querySelector("[data-what-if-result]");
    if (!url || !target) { return; }
    var timer = null;
    var latest = 0;
    function update() {
      var query = new URLSearchParams(new FormData(form)).toString();
      var ticket = ++latest;
      fetch(url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (ticket !== latest) { return; }  // an older answer arriving late
          target.innerHTML = data.html;
          target.setAttribute("data-updated", String(ticket));
          if (window.history && window.history.replaceState) {
            window.history.replaceState(null, "", form.getAttribute("action") + "?" + query);
          }
        })
        .catch(function () { /* the submit button still works */ });
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-what-if]").forEach(enhance);
  });
})();
