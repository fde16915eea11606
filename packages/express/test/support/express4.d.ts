/** `express4` is the npm alias of Express 4 (no types of its own): typed as Express 5, whose API it shares here. */
declare module 'express4' {
  import express from 'express';
  // biome-ignore lint/style/noDefaultExport: Express's own export is a default export.
  export default express;
}
