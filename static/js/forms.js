// Move keyboard focus and the view to the error summary when a form comes back
// with errors, so people on long forms and screen readers find it at once.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }
});
