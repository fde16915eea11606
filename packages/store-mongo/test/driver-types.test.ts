/** The driver's own Collection and Db, of mongodb 7 and 6, fit the store's structural types (checked by tsc). */
import { MongoClient } from 'mongodb';
import { MongoClient as MongoClient6 } from 'mongodb6';
import { describe, expect, it } from 'vitest';
import { MongoStore } from '../src/index.js';

describe('driver types', () => {
  it('accepts a Collection or a Db of mongodb 7 and 6 without a cast, and opens nothing', () => {
    const client7 = new MongoClient('mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=10');
    const client6 = new MongoClient6('mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=10');
    const stores = [
      new MongoStore({ collection: client7.db('app').collection('records') }),
      new MongoStore({ db: client7.db('app') }),
      new MongoStore({ collection: client6.db('app').collection('records'), timeoutMs: 100 }),
      new MongoStore({ db: client6.db('app'), collectionName: 'x' }),
    ];
    expect(stores).toHaveLength(4);
  });
});
