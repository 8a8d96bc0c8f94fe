// Prints every built asset with its raw and gzipped size, and checks the first-load budget:
// the JS that index.html loads (entry + modulepreloads) must stay under 250 KB gzipped.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const BUDGET = 250 * 1024;
const html = readFileSync(join(dist, "index.html"), "utf8");
const firstLoad = new Set([...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]));
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + " KB";
let total = 0;
let first = 0;
const rows = [];
for (const name of readdirSync(join(dist, "assets")).sort()) {
  const bytes = readFileSync(join(dist, "assets", name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const path = `assets/${name}`;
  const isFirst = firstLoad.has(path);
  if (name.endsWith(".js")) total += gz;
  else if (isFirst) { rows.push(`${kb(bytes.length)} ${kb(gz)} gz  first-load  ${path}`); continue; }
  if (isFirst && name.endsWith(".js")) first += gz;
  rows.push(`${kb(bytes.length)} ${kb(gz)} gz  ${isFirst ? "first-load" : "lazy      "}  ${path}`);
}
console.log("\n    raw        gzipped    load        file");
for (const row of rows) console.log(row);
console.log(`\nfirst-load JS ${kb(first)} gzipped (budget ${BUDGET / 1024} KB); all JS ${kb(total)} gzipped`);
if (first === 0) {
  console.error("no first-load script found in dist/index.html");
  process.exit(1);
}
if (first > BUDGET) {
  console.error(`first-load JS is over the ${BUDGET / 1024} KB budget`);
  process.exit(1);
}
