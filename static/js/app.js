// Progressive enhancements only; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  document.querySelectorAll("form[data-autosubmit] select").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
});
// Import preview: keep the "Đã chọn: ..." line under each unit multi-select in step.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-summary]").forEach((select) => {
    const summary = document.getElementById(select.getAttribute("data-summary"));
    if (!summary) return;
    select.addEventListener("change", () => {
      const names = Array.from(select.selectedOptions).map((o) => o.textContent.trim());
      summary.textContent = "Đã chọn: " + (names.length ? names.join(", ") : "chưa chọn đơn vị nào");
    });
  });
});
