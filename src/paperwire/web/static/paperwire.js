// Renders LaTeX in titles and abstracts with the vendored KaTeX, and wires "copy" buttons.
"use strict";

function renderMath() {
  if (typeof renderMathInElement !== "function") return;
  document.querySelectorAll(".math").forEach(function (element) {
    renderMathInElement(element, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    });
  });
  document.documentElement.dataset.mathRendered = "true";
}

function wireCopyButtons() {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.querySelector(button.dataset.copy);
      if (!source || !navigator.clipboard) return;
      navigator.clipboard.writeText(source.textContent).then(function () {
        var label = button.textContent;
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  renderMath();
  wireCopyButtons();
});
