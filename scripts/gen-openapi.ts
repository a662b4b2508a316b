// Regenerates src/api/openapi/schemas.generated.json from the kubernetes-types declarations.
// Usage: node --import tsx scripts/gen-openapi.ts [--check]
// --check exits 1 (writing nothing) when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedJson } from '../src/api/openapi/generate.js';

const target = fileURLToPath(new URL('../src/api/openapi/schemas.generated.json', import.meta.url));
const text = generatedJson();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // A missing file is stale.
  }
  if (current !== text) {
    console.error(`${target} is stale: run node --import tsx scripts/gen-openapi.ts`);
    process.exit(1);
  }
  console.log(`${target} is up to date`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${Object.keys(JSON.parse(text) as object).length} schemas, ${text.length} bytes)`);
}
