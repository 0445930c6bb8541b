// Parse Mermaid diagrams with the real `mermaid` package, the way a renderer would.
//
//   node mermaid-parse.mjs FILE...
//
// Prints one JSON line per file: {"file", "ok", "type"} or {"file", "ok": false, "error"}.
// Exits 0 when every file parses, 1 otherwise. Mermaid sanitises labels with DOMPurify,
// which needs a DOM, so a jsdom window stands in for the browser.
import { readFile } from 'node:fs/promises';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = await readFile(file, 'utf8');
  try {
    const result = await mermaid.parse(text);
    console.log(JSON.stringify({ file, ok: true, type: result.diagramType }));
  } catch (error) {
    failed += 1;
    console.log(JSON.stringify({ file, ok: false, error: String(error.message || error) }));
  }
}
process.exit(failed ? 1 : 0);
