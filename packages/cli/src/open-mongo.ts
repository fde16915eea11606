/** Opens a MongoStore for one command: one MongoClient, closed when the command is done. */
import { withStoreTimeout } from '@idempo/core/store';
import { MongoStore } from '@idempo/store-mongo';
import { MongoClient } from 'mongodb';
import { describeTarget } from './describe-target.js';
import { maskUrl } from './mask-url.js';
import type { MongoTarget, OpenedStore } from './store-target.js';

/**
 * Connects to the deployment of `target` (server selection bounded by its `timeoutMs`) and makes the store over
 * its collection. Never creates indexes. A failure rejects with the driver's error, the client closed.
 */
export async function openMongo(target: MongoTarget): Promise<OpenedStore> {
  // The driver gives up a little before our own bound, so that its error (which says why: ECONNREFUSED, ...) is
  // the one reported rather than a bare timeout.
  const driverMs = Math.max(1, Math.floor(target.timeoutMs * 0.9));
  const client = new MongoClient(target.url, {
    serverSelectionTimeoutMS: driverMs,
    connectTimeoutMS: driverMs,
    appName: 'idempo-cli',
  });
  try {
    await withStoreTimeout(`connecting to ${maskUrl(target.url)}`, () => client.connect(), target.timeoutMs);
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
  const db = client.db(target.database);
  const store = new MongoStore({ db, collectionName: target.collection, timeoutMs: target.timeoutMs });
  const where = `${db.databaseName}.${target.collection}`;
  return {
    store,
    description: describeTarget({ ...target, database: db.databaseName }),
    locate: (storageKey) => `document of ${where} with _id '${storageKey}'`,
    async close() {
      await store.close();
      await client.close().catch(() => {});
    },
  };
}
