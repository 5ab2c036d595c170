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

// Charts: each figure.csp-chart holds its Vega-Lite spec (script.csp-spec, written by csp_lib.present.charts);
// vega-embed draws it as SVG, in this site's own copies of Vega, Vega-Lite and vega-embed (_static/vega/).
// Vega's expression interpreter (ast: true), not code made with Function: the pages' Content-Security-Policy
// allows no eval. The menu of each chart saves it as SVG or PNG; its button gets a name, as the theme's chevrons do above.
// A chart as wide as the page (autosize "fit-x", charts._wide) is given the page's width here, at embed time
// ("width": "container", which follows the page as it narrows or widens): the spec itself has a fixed width, the one
// JupyterLab and nbconvert draw it at (JupyterLab froze on "container", issue 31).
(function () {
  var ACTIONS = { export: true, source: false, compiled: false, editor: false };
  function responsive(spec) {
    if (spec.autosize && spec.autosize.type === "fit-x") spec.width = "container";
    return spec;
  }
  function draw() {
    if (!window.vegaEmbed) return;
    var pending = [];
    document.querySelectorAll("figure.csp-chart").forEach(function (figure) {
      var spec = figure.querySelector("script.csp-spec"), box = figure.querySelector(".csp-vega");
      if (!spec || !box || box.hasAttribute("data-drawn")) return;
      box.setAttribute("data-drawn", "");
      pending.push(
        vegaEmbed(box, responsive(JSON.parse(spec.textContent)), { renderer: "svg", actions: ACTIONS, ast: true }).then(function () {
          var summary = box.querySelector("details > summary");
          if (summary) summary.setAttribute("aria-label", "Save this chart");
        })
      );
    });
    window.cspCharts = Promise.all(pending); // the committee paper's printer waits for it
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
