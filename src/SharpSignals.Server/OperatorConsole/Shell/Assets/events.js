// The events pages: the search's time fields in the viewer's own zone (sent as UTC), and the copy
// button of an event's raw token. Without this script the fields are UTC and nothing is lost.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const pad = n => String(n).padStart(2, "0");
  const localInput = at =>
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;

  const form = document.querySelector("form.event-search");
  if (form) {
    const fields = form.querySelectorAll("input[data-utc]");
    for (const zone of form.querySelectorAll("[data-zone]")) {
      zone.textContent = "your time";
    }
    // The server writes UTC into the fields; show it in the viewer's zone.
    for (const field of fields) {
      if (field.value) {
        const at = new Date(field.value + "Z");
        if (!Number.isNaN(at.getTime())) {
          field.value = localInput(at);
        }
      }
    }
    // On submit, send what was entered in local time as UTC, in hidden fields of the same names.
    form.addEventListener("submit", () => {
      for (const field of fields) {
        if (!field.value || !field.name) {
          continue;
        }
        const at = new Date(field.value);
        if (Number.isNaN(at.getTime())) {
          continue;
        }
        const utc = document.createElement("input");
        utc.type = "hidden";
        utc.name = field.name;
        utc.value = at.toISOString();
        field.removeAttribute("name");
        form.appendChild(utc);
      }
      // Empty fields stay out of the URL.
      for (const input of form.querySelectorAll("input[name], select[name]")) {
        if (!input.value) {
          input.removeAttribute("name");
        }
      }
    });
  }

  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    const said = button.nextElementSibling;
    button.hidden = !source || !navigator.clipboard;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent);
        if (said) said.textContent = "Copied.";
      } catch {
        if (said) said.textContent = "Could not copy; select the token and copy it.";
      }
    });
  }
});
