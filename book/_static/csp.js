// The theme opens and closes a report's list of sections with a <summary> that holds only a chevron
// icon: it gets a name here ("Sections of <page>"), so a screen reader says what it opens (WCAG 4.1.2).
(function () {
  function name() {
    document.querySelectorAll("nav summary").forEach(function (summary) {
      if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
      var item = summary.closest("li");
      var link = item && item.querySelector(":scope > a");
      summary.setAttribute("aria-label", "Sections of " + (link ? link.textContent.trim() : "this page"));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", name);
  else name();
})();
