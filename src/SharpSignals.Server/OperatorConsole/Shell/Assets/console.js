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

  document.addEventListener("DOMContentLoaded", () => localise(document));
  return { localise, csrfToken, format };
})();
