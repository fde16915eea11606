/**
 * The shared conformance suite against a REAL MongoDB server, through driver 7 and driver 6, when `MONGODB_URL`
 * is set (a standalone server or a replica set). These machines have no MongoDB server: without MONGODB_URL the
 * block is skipped and says so, and nothing here counts as verified.
 */
import { storeSuite } from '@idempo/testing';
import { type Document, MongoClient } from 'mongodb';
import { MongoClient as MongoClient6 } from 'mongodb6';
import { afterAll, describe, expect, it } from 'vitest';
import { MongoStore, TTL_INDEX_NAME } from '../src/index.js';
import { previousVersionInFlight, previousVersionRecord } from './support/previous-version.js';

const url = process.env['MONGODB_URL'];
const database = `idempo_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
let collections = 0;
/** A collection no other store of the run uses: the stats case counts every record of its store. */
const freshCollection = (label: string) => `${label}_${++collections}`;

if (!url) {
  console.warn(
    '\n[store-mongo] MONGODB_URL is not set: the real-server storeSuite was SKIPPED. Only the mingo-evaluated suite ran.\n',
  );
}

describe.skipIf(!url)('MongoStore against a real server (MONGODB_URL)', () => {
  const clients: { close(): Promise<void> }[] = [];
  const connect7 = async () => {
    const client = await MongoClient.connect(url as string, { serverSelectionTimeoutMS: 5_000 });
    clients.push(client);
    return client;
  };
  const connect6 = async () => {
    const client = await MongoClient6.connect(url as string, { serverSelectionTimeoutMS: 5_000 });
    clients.push(client);
    return client;
  };

  storeSuite('MongoStore over mongodb 7 (real server)', async () => {
    return new MongoStore({
      db: (await connect7()).db(database),
      collectionName: freshCollection('records7'),
    });
  });
  storeSuite('MongoStore over mongodb 6 (real server)', async () => {
    const db = (await connect6()).db(database);
    return new MongoStore({ collection: db.collection(freshCollection('records6')) });
  });

  it('a record of the previous version (no created) reads with createdAt undefined, is counted, and is kept by delete while its lease runs unless forced', async () => {
    const db = (await connect7()).db(database);
    const name = freshCollection('previous');
    const now = Date.now();
    await db
      .collection<{ _id: string } & Document>(name)
      .insertOne(previousVersionRecord('old', now, 'in-flight', 30_000));
    const store = new MongoStore({ db, collectionName: name });
    expect(await store.get('old')).toEqual(previousVersionInFlight(now, 30_000));
    expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 0 });
    expect(await store.delete('old')).toBe('in-flight');
    expect(await db.collection(name).countDocuments()).toBe(1);
    expect(await store.delete('old', { force: true })).toBe('deleted');
    expect(await db.collection(name).countDocuments()).toBe(0);
  });

  it('ensureIndexes creates the TTL index on exp', async () => {
    const db = (await connect7()).db(database);
    const store = new MongoStore({ db, collectionName: 'indexed' });
    await store.ensureIndexes();
    await store.ensureIndexes();
    const indexes = await db.collection('indexed').indexes();
    expect(indexes.find((i) => i.name === TTL_INDEX_NAME)).toMatchObject({
      key: { exp: 1 },
      expireAfterSeconds: 0,
    });
  });

  afterAll(async () => {
    const client = await connect7();
    await client.db(database).dropDatabase();
    for (const c of clients) await c.close();
  });
});
