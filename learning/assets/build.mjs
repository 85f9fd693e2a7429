// Compile the stylesheet and copy GOV.UK Frontend's script and images into
// learning/static/dist. Run by `make assets`; the output is not committed.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "learning", "static", "dist");
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "learning", "assets", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin"],
});
writeFileSync(join(out, "app.css"), css.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "images"), { recursive: true });
cpSync(join(root, "learning", "assets", "init.mjs"), join(out, "init.mjs"));
cpSync(join(root, "learning", "assets", "job_progress.mjs"), join(out, "job_progress.mjs"));
cpSync(join(root, "node_modules", "axe-core", "axe.min.js"), join(out, "axe.min.js"));
console.log(`assets built in ${out}`);
