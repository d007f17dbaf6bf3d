// LaTeX in the problem, options, answers and samples, rendered by the bundled KaTeX (no CDN).
// auto-render reads text nodes only: text is never parsed as HTML.
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll(".math")) {
    renderMathInElement(el, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
      trust: false,
    });
  }
  document.body.dataset.mathRendered = "yes";
});
