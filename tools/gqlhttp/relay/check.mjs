// Helpers of .ci/relay-check (relay-compiler against schema.graphql):
//   node check.mjs introspect <url> <token> <out.graphql>  the running server's schema,
//       read by introspection and printed as SDL (what a client tool fetches);
//   node check.mjs fields <src dir> <persisted.json> <schema.graphql>  every persisted
//       document is valid against the schema, and every field the sources select is in
//       the documents Relay wrote (Relay strips the fields it takes for client-only).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClientSchema, buildSchema, getIntrospectionQuery, parse, printSchema, validate, visit } from 'graphql';

const [cmd, ...args] = process.argv.slice(2);

const fieldNames = (doc) => {
  const names = new Set();
  visit(doc, { Field: (n) => { if (!n.name.value.startsWith('__')) names.add(n.name.value); } });
  return names;
};

if (cmd === 'introspect') {
  const [url, token, out] = args;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = await res.json();
  if (!res.ok || body.errors) {
    console.error(`introspection: ${res.status} ${JSON.stringify(body.errors)}`);
    process.exit(1);
  }
  writeFileSync(out, printSchema(buildClientSchema(body.data)));
} else if (cmd === 'fields') {
  const [src, persisted, schemaPath] = args;
  const schema = buildSchema(readFileSync(schemaPath, 'utf8'));
  const docs = Object.values(JSON.parse(readFileSync(persisted, 'utf8')));
  const written = new Set();
  for (const text of docs) {
    const doc = parse(text);
    const errors = validate(schema, doc);
    if (errors.length) {
      console.error(`invalid document against ${schemaPath}: ${errors.map((e) => e.message).join('; ')}\n${text}`);
      process.exit(1);
    }
    for (const n of fieldNames(doc)) written.add(n);
  }
  const selected = new Set();
  for (const file of readdirSync(src).filter((f) => f.endsWith('.js'))) {
    for (const [, tag] of readFileSync(join(src, file), 'utf8').matchAll(/graphql`([^`]*)`/g)) {
      for (const n of fieldNames(parse(tag))) selected.add(n);
    }
  }
  const stripped = [...selected].filter((n) => !written.has(n));
  if (docs.length === 0 || stripped.length) {
    console.error(`relay-compiler dropped fields: ${stripped.join(', ') || '(no documents)'}`);
    process.exit(1);
  }
  console.log(`relay: ${docs.length} operations, all ${selected.size} selected fields sent`);
} else {
  console.error('usage: node check.mjs introspect <url> <token> <out> | fields <src> <persisted.json> <schema>');
  process.exit(2);
}
