// Copied into the temp project and run there: runs one README quick start, an ES module through import(), a CommonJS one through require()
// (its `ready` is the quick start's default export, if any). A quick start that exports an app with `fetch`
// (Hono, a Web-standard handler) is served on Node with @hono/node-server, as its README says.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [file] = process.argv.slice(2);
const app = file.endsWith('.cjs')
  ? await createRequire(pathToFileURL(file).href)(file).ready
  : (await import(pathToFileURL(file).href)).default;
if (app !== null && typeof app === 'object' && typeof app.fetch === 'function') {
  const { serve } = await import('@hono/node-server');
  serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
}
