// SiKo Gateway console: the live delivery board of an event page. Everything else works without script.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.EventSource) { return; }
  var url = board.getAttribute("data-live");
  var state = document.getElementById("board-state");
  var source = new EventSource(url);
  source.addEventListener("board", function (message) {
    var update = JSON.parse(message.data);
    var keys = Object.keys(update.rows);
    for (var i = 0; i < keys.length; i++) {
      var row = board.querySelector('tr[data-row="' + keys[i] + '"]');
      if (!row) { window.location.reload(); return; }
      var counts = update.rows[keys[i]];
      var statuses = Object.keys(counts);
      for (var j = 0; j < statuses.length; j++) {
        var cell = row.querySelector('td[data-status="' + statuses[j] + '"]');
        if (cell && cell.textContent !== String(counts[statuses[j]])) { cell.textContent = String(counts[statuses[j]]); }
      }
    }
    if (state) { state.textContent = update.settled ? state.getAttribute("data-settled") : state.getAttribute("data-live"); }
    board.setAttribute("data-settled", update.settled ? "true" : "false");
  });
})();
