/**
 * `@idempo/cli`: the `idempo` command (inspect, delete, stats, key) and the same as a function, `runCli`, for
 * tests and tools that embed it.
 *
 * @packageDocumentation
 */
export type { CliIo } from './cli-io.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { openStore } from './open-store.js';
export { runCli } from './run-cli.js';
export type {
  MongoTarget,
  OpenedStore,
  PostgresTarget,
  RedisTarget,
  StoreName,
  StoreTarget,
} from './store-target.js';
