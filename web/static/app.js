// Repeating rows of a form: add a row from its <template>, remove a row. Works without inline scripts (CSP).
(function () {
  "use strict";
  let counter = 1000;
  document.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      const base = add.getAttribute("data-add-row");
      const template = document.querySelector('template[data-row-template="' + base + '"]');
      const table = document.querySelector('table[data-rows="' + base + '"] tbody');
      if (template && table) {
        counter += 1;
        const html = template.innerHTML.split("__INDEX__").join(String(counter));
        table.insertAdjacentHTML("beforeend", html);
      }
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const row = remove.closest("tr");
      if (row) { row.remove(); }
    }
  });
}());
