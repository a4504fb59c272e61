// A "print" button ([data-print], hidden without this script) opens the
// browser's print dialogue; the page's print layout is its @media print CSS.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
