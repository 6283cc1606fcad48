// Parse TeX math with the real KaTeX and MathJax, as notebooks and web pages do.
// Input (stdin): JSON list of {"tex": "...", "display": true|false}.
// Output (stdout): JSON list, one entry per input: {"katex": error or null, "mathjax": error or null}.
"use strict";

const katex = require("katex");
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
require("mathjax-full/js/input/tex/base/BaseConfiguration.js");
require("mathjax-full/js/input/tex/ams/AmsConfiguration.js");
require("mathjax-full/js/input/tex/cancel/CancelConfiguration.js");
require("mathjax-full/js/input/tex/color/ColorConfiguration.js");
require("mathjax-full/js/input/tex/newcommand/NewcommandConfiguration.js");

RegisterHTMLHandler(liteAdaptor());
let mathjaxError = null;
const tex = new TeX({
  // The packages a default MathJax 3 page has (cancel and color are autoloaded there); no "noundefined",
  // so an unknown macro is an error, as it is in LaTeX.
  packages: ["base", "ams", "cancel", "color", "newcommand"],
  formatError: (_jax, err) => {
    mathjaxError = err.message;
    throw err;
  },
});
const html = mathjax.document("", { InputJax: tex });

function withKatex(source, display) {
  try {
    katex.renderToString(source, { displayMode: display, throwOnError: true, strict: "error" });
    return null;
  } catch (err) {
    return String(err.message || err);
  }
}

function withMathjax(source, display) {
  mathjaxError = null;
  try {
    html.convert(source, { display });
  } catch (err) {
    return mathjaxError || String(err.message || err);
  }
  return mathjaxError;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const items = JSON.parse(input);
  const results = items.map(({ tex: source, display }) => ({
    katex: withKatex(source, display),
    mathjax: withMathjax(source, display),
  }));
  process.stdout.write(JSON.stringify(results));
});
