// Loads a UI module written in TypeScript into a Node test without a TypeScript loader: the
// project's own compiler strips the types (transpileModule), and the result is imported from a
// temporary file. Only for modules whose imports are type-only (strings/*.ts, plural.ts, format.ts).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

export const src = new URL("../src/", import.meta.url);
const out = mkdtempSync(join(tmpdir(), "knd-ui-test-"));

export async function loadTs(name) {
  const text = readFileSync(new URL(name, src), "utf8");
  const js = ts.transpileModule(text, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    fileName: name,
  }).outputText;
  if (/^\s*import\s+(?!type\b)/m.test(js)) throw new Error(`${name} imports a module at run time: not loadable here`);
  const file = join(out, name.replace(/[/\\]/g, "_").replace(/\.tsx?$/, ".mjs"));
  writeFileSync(file, js);
  return import(pathToFileURL(file).href);
}
