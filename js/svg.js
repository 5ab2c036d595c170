// A chart's Vega-Lite spec (standard input) as SVG (standard output), drawn by the project's own Vega and
// Vega-Lite (node_modules, js/package-lock.json): the picture a notebook's output carries beside its spec, which
// nbconvert's HTML shows (it has no Vega-Lite renderer) while JupyterLab draws the spec itself (charts.svg).
"use strict";
const path = require("path");
const vega = require(path.join(__dirname, "node_modules", "vega"));
const vl = require(path.join(__dirname, "node_modules", "vega-lite"));

function escape(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const spec = JSON.parse(input);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  // the text alternative on the picture, as Vega puts it on the chart it draws in a page
  const named = spec.description ? ` role="img" aria-label="${escape(spec.description)}"` : "";
  process.stdout.write(svg.replace("<svg ", `<svg${named} `));
});
