// Breaking changes of the schema: node schema-diff.mjs <old.graphqls> <new.graphqls>.
// Prints every change found by @graphql-inspector/core and exits 1 when one is
// BREAKING (removing or retyping what clients use); DANGEROUS and safe changes pass.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { diff, CriticalityLevel } from '@graphql-inspector/core';

const [oldPath, newPath] = process.argv.slice(2);
if (!oldPath || !newPath) {
  console.error('usage: node schema-diff.mjs <old.graphqls> <new.graphqls>');
  process.exit(2);
}
const load = (path) => buildSchema(readFileSync(path, 'utf8'), { assumeValidSDL: false });
const changes = await diff(load(oldPath), load(newPath));
let breaking = 0;
for (const c of changes) {
  const level = c.criticality.level;
  if (level === CriticalityLevel.Breaking) breaking++;
  console.log(`${level.padEnd(13)} ${c.message}${c.criticality.reason ? ` (${c.criticality.reason})` : ''}`);
}
console.log(`schema changes: ${changes.length}, breaking: ${breaking}`);
process.exit(breaking > 0 ? 1 : 0);
