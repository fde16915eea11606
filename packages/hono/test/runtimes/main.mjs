// Node, Bun and Deno: prints what smoke() saw, as JSON.
import { smoke } from './smoke.mjs';

console.log(JSON.stringify(await smoke()));
