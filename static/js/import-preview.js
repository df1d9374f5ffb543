// Import preview: progressive help only; the page works without this file.
(() => {
  const preview = document.querySelector("form.import-review");
  if (!preview) return;

  // Typing a date, a number of days, a unit to map or a new unit's name picks its option.
  preview.querySelectorAll("[data-choose]").forEach((field) => {
    const pick = () => {
      const radio = document.getElementById(field.getAttribute("data-choose"));
      if (radio && !radio.checked) radio.checked = true;
    };
    field.addEventListener("input", pick);
    field.addEventListener("change", pick);
  });

  // A unit list keeps its "chosen" line in step and can be filtered by name.
  preview.querySelectorAll(".unit-picker").forEach((picker) => {
    const chosen = picker.querySelector("[data-chosen]");
    const boxes = Array.from(picker.querySelectorAll("input[type=checkbox]"));
    const update = () => {
      const names = boxes.filter((b) => b.checked).map((b) => b.parentElement.textContent.trim());
      chosen.textContent = names.length ? names.join(", ") : "Chưa chọn đơn vị nào";
    };
    boxes.forEach((box) => box.addEventListener("change", update));
    const filter = picker.querySelector("[data-unit-filter]");
    if (filter) {
      filter.hidden = false;
      filter.addEventListener("input", () => {
        const words = filter.value.trim().toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
        boxes.forEach((box) => {
          const label = box.parentElement;
          const name = label.textContent.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
          label.hidden = words !== "" && !name.includes(words);
        });
      });
    }
  });

  // A group: select all / none, and the count of what is ticked.
  preview.querySelectorAll("[data-unit-group]").forEach((group) => {
    const boxes = Array.from(group.querySelectorAll("input[type=checkbox]"));
    const count = group.querySelector("[data-group-count]");
    const update = () => {
      const ticked = boxes.filter((b) => b.checked).length;
      count.textContent = `Đang chọn ${ticked}/${boxes.length}.`;
    };
    const set = (value) => { boxes.forEach((b) => { b.checked = value; }); update(); };
    const buttons = group.querySelector("[data-group-buttons]");
    if (buttons) {
      buttons.hidden = false;
      group.querySelector("[data-group-all]").addEventListener("click", () => set(true));
      group.querySelector("[data-group-none]").addEventListener("click", () => set(false));
    }
    boxes.forEach((box) => box.addEventListener("change", update));
  });

  // After a refused confirm, bring the list of mistakes into view.
  const errors = document.getElementById("import-errors");
  if (errors) errors.scrollIntoView({ block: "start" });
})();
