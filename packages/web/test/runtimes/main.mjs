// Node, Bun and Deno: prints what smoke() saw, as JSON; on Bun and Deno also what a real server answered
// (Bun.serve, Deno.serve on a free port, driven over HTTP by the runtime's own fetch).
import { driveServed, servedHandler } from './served.mjs';
import { smoke } from './smoke.mjs';

const seen = await smoke();
let served;
if (globalThis.Bun) {
  const server = globalThis.Bun.serve({ port: 0, fetch: servedHandler() });
  served = await driveServed(`http://127.0.0.1:${server.port}`, fetch);
  server.stop(true);
} else if (globalThis.Deno) {
  const server = globalThis.Deno.serve({ port: 0, onListen() {} }, servedHandler());
  served = await driveServed(`http://127.0.0.1:${server.addr.port}`, fetch);
  await server.shutdown();
}
console.log(JSON.stringify({ ...seen, served }));
