// The dead-letter list: "select all on this page". Without this script each row is still selected
// by its own checkbox.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const all = document.querySelector("input[data-select-all]");
  if (!all) {
    return;
  }
  const rows = () => document.querySelectorAll('form.dead-letters input[name="selected"]');
  all.closest("label").hidden = false;
  all.addEventListener("change", () => {
    for (const box of rows()) {
      box.checked = all.checked;
    }
  });
  document.querySelector("form.dead-letters").addEventListener("change", event => {
    if (event.target !== all) {
      const boxes = [...rows()];
      all.checked = boxes.every(b => b.checked);
      all.indeterminate = !all.checked && boxes.some(b => b.checked);
    }
  });
});
