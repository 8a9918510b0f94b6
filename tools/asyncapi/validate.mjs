// Parses an AsyncAPI document with the official parser (@asyncapi/parser).
// Usage: node validate.mjs [path]   (default: docs/asyncapi.json of this repository)
// Exits 1 and prints every diagnostic if the document has errors; warnings are printed only.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, fromFile } from '@asyncapi/parser';

const here = dirname(fileURLToPath(import.meta.url));
const path = resolve(process.argv[2] ?? resolve(here, '../../docs/asyncapi.json'));
const SEVERITY = ['error', 'warning', 'info', 'hint'];

const { document, diagnostics } = await fromFile(new Parser(), path).parse();
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) {
  const where = d.path.length ? d.path.join('.') : '<root>';
  const line = d.range ? `:${d.range.start.line + 1}` : '';
  console.error(`${SEVERITY[d.severity] ?? d.severity} ${d.code} at ${where}${line}: ${d.message}`);
}
if (!document || errors.length) {
  console.error(`${path}: INVALID (${errors.length} error(s))`);
  process.exit(1);
}
console.log(`${path}: valid AsyncAPI ${document.version()}, ` +
  `${document.channels().length} channels, ${document.operations().length} operations, ` +
  `${document.messages().length} messages`);
