// The print button of report pages (no inline scripts).
const button = document.getElementById("print-button");
if (button) button.addEventListener("click", () => window.print());
