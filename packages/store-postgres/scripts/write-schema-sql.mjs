// Writes sql/schema.sql from schemaSql() (src/schema.ts, the one source of truth), with the default names.
// Run with `pnpm schema-sql` after changing the DDL; test/schema-file.test.ts fails while the two disagree.
import { writeFileSync } from 'node:fs';
import { schemaSql } from '../dist/index.js';

const target = new URL('../sql/schema.sql', import.meta.url);
writeFileSync(target, schemaSql());
console.log(`wrote ${target.pathname}`);
