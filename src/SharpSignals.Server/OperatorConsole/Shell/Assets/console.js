// The operator console's script. The pages work without it (every action is a form); it only
// shows times in the viewer's own zone and keeps live parts of a page up to date.
"use strict";

window.SharpSignalsConsole = (() => {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

  /** Every <time data-local> below root shown in the viewer's zone; its title keeps the UTC value. */
  function localise(root) {
    for (const element of (root || document).querySelectorAll("time[data-local]")) {
      const at = new Date(element.getAttribute("datetime"));
      if (!Number.isNaN(at.getTime())) {
        element.textContent = format.format(at);
      }
    }
  }

  /** The anti-forgery token of this page, for a change sent by script (header X-CSRF-Token). */
  function csrfToken() {
    return document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") || "";
  }

  /** Redraws a Sparkline (Sparkline.razor) with new series, on the same scale rules as the server. */
  function sparkline(svg, values, second, label) {
    const width = 120, height = 30;
    const fixed = svg.dataset.max ? Number(svg.dataset.max) : null;
    const top = fixed ?? Math.max(0, ...values.map(v => v ?? 0), ...(second || []).map(v => v ?? 0));
    const points = series => series.map((v, i) => {
      const x = series.length > 1 ? i * width / (series.length - 1) : 0;
      const y = top > 0 ? height - ((v ?? 0) / top * height) : height;
      return `${Math.round(x * 10) / 10},${Math.round(y * 10) / 10}`;
    }).join(" ");
    const lines = svg.querySelectorAll("polyline");
    lines[0].setAttribute("points", points(values));
    if (second && lines[1]) {
      lines[1].setAttribute("points", points(second));
    }
    if (label) {
      svg.setAttribute("aria-label", label);
      const title = svg.querySelector("title");
      if (title) {
        title.textContent = label;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => localise(document));
  return { localise, csrfToken, format, sparkline };
})();
