/** `koa2` is the npm alias of Koa 2 (no types of its own): typed as Koa, whose API it shares here. */
declare module 'koa2' {
  import Koa from 'koa';
  // biome-ignore lint/style/noDefaultExport: Koa's own export is a default export.
  export default Koa;
}
