// The overview's live values: an EventSource on GET /console/overview/live (the same filters and
// page) gets the rows' new values every two seconds and puts them in the cells, so the page never
// reloads. Without script the page shows the values it was served with.
"use strict";

(() => {
  const table = document.querySelector("table.streams[data-live]");
  const status = document.getElementById("live-status");
  if (!table || !window.EventSource) {
    return;
  }

  const source = new EventSource(table.dataset.live);
  status.hidden = false;
  const say = text => {
    if (status.textContent !== text) {
      status.textContent = text;
    }
  };

  source.addEventListener("open", () => say("● Live: updated every 2 seconds"));
  source.addEventListener("error", () => say(source.readyState === EventSource.CLOSED
    ? "Live updates stopped: reload the page."
    : "Reconnecting…"));
  source.addEventListener("rows", event => {
    for (const row of JSON.parse(event.data).rows) {
      const tr = table.querySelector(`tr[data-stream="${CSS.escape(row.stream_id)}"]`);
      if (tr) {
        update(tr, row);
      }
    }
  });
  window.addEventListener("pagehide", () => source.close());

  function update(tr, row) {
    const cell = name => tr.querySelector(`[data-field="${name}"]`);
    text(cell("pending"), String(row.pending));
    text(cell("dead_letters"), String(row.dead_letters));
    oldest(cell("oldest"), row);
    state(cell("state"), row);
    tr.classList.toggle("failing", row.failing);
    if (row.delivered) {
      chart(cell("delivered"), row.delivered, row.delivered_label);
      chart(cell("error_rate"), row.error_rate, row.error_rate_label);
    }
  }

  function text(element, value) {
    if (element && element.textContent !== value) {
      element.textContent = value;
    }
  }

  /** The age of the oldest pending entry, its moment in UTC on hover; "none" when nothing is pending. */
  function oldest(td, row) {
    if (!td) {
      return;
    }
    if (!row.oldest) {
      if (td.querySelector("time") || td.textContent.trim() !== "none") {
        td.replaceChildren(Object.assign(document.createElement("span"), { textContent: "none" }));
      }
      return;
    }
    let time = td.querySelector("time");
    if (!time) {
      time = document.createElement("time");
      td.replaceChildren(time);
    }
    time.setAttribute("datetime", row.oldest);
    time.title = row.oldest_utc;
    text(time, row.oldest_age);
  }

  /** The failing mark, in words and a symbol as well as colour; the last error on hover. */
  function state(td, row) {
    if (!td) {
      return;
    }
    const badge = document.createElement("span");
    badge.className = row.failing ? "badge badge-failing" : "badge badge-ok";
    badge.textContent = row.failing ? "⚠ Failing" : "✓ OK";
    if (row.failing && row.last_error) {
      badge.title = row.last_error;
    }
    const current = td.querySelector(".badge");
    if (!current || current.className !== badge.className || current.textContent !== badge.textContent || current.title !== badge.title) {
      td.replaceChildren(badge);
    }
  }

  function chart(td, values, label) {
    const svg = td && td.querySelector("svg");
    if (svg) {
      SharpSignalsConsole.sparkline(svg, values, null, label);
    }
  }
})();
