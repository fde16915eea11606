/**
 * A/B of builds of this store in interleaved rounds, beside the 2x PING floor of each client measured in the same
 * rounds (how issue 17 measured every change; not published: package.json `files` has no bench/).
 *
 * Each case: ops/s, client CPU µs per operation (process.cpuUsage), server CPU µs per operation (INFO cpu) and
 * usec_per_call per command (INFO commandstats after CONFIG RESETSTAT; it FLUSHALLs between cases: a PRIVATE server, never a
 * shared one). Cases: `floor` (2x PING), `store` (reserve + complete, new keys, 200-byte response), `replay`
 * (reserve of a completed key: one call). A variant is a built module exporting RedisStore (copy dist/index.js
 * of each revision to a file under packages/store-redis, so that it resolves the same dependencies).
 *
 *   redis-server --port 6391 --save "" --appendonly no --daemonize yes
 *   node --expose-gc bench/ab.mjs --port 6391 --variant before=./.ab/a.js --variant after=./dist/index.js \
 *     --c 64,1 --rounds 5 --ms 1000 [--clients io,node] [--kinds floor,store,replay]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '6391' },
    variant: { type: 'string', multiple: true, default: [] },
    clients: { type: 'string', default: 'io,node' },
    c: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    ms: { type: 'string', default: '1500' },
    kinds: { type: 'string', default: 'floor,store,replay' },
  },
});
const port = Number(values.port);
// It resets the server's statistics and FLUSHALLs it between cases: never the shared Redis of the machine.
if (port === 6379) throw new Error('bench/ab.mjs flushes its server: start a private one (see the header)');
const url = `redis://127.0.0.1:${port}`;
const variants = [];
for (const v of values.variant) {
  const [label, path] = v.split('=');
  variants.push({ label, mod: await import(new URL(path, `file://${process.cwd()}/`).href) });
}
const FP = randomBytes(32).toString('base64url');
const RESPONSE = new Uint8Array(randomBytes(200));
const LEASE = 30000;
const TTL = 86400000;
const admin = new Redis(port);

async function ioClient() {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  await c.connect();
  return { c, close: () => c.disconnect(), ping: () => c.ping() };
}
async function nodeClient() {
  const c = createClient({ url, socket: { reconnectStrategy: false } });
  c.on('error', () => undefined);
  await c.connect();
  return { c, close: () => c.close(), ping: () => c.ping() };
}

async function drive(run, concurrency, ms) {
  let next = 0;
  const t0 = performance.now();
  const deadline = t0 + ms;
  const worker = async () => {
    while (performance.now() < deadline) await run(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ops: next, secs: (performance.now() - t0) / 1000 };
}

async function serverCpu() {
  const info = await admin.info('cpu');
  const u = Number(/used_cpu_user:([\d.]+)/.exec(info)[1]);
  const y = Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
  return (u + y) * 1e6;
}
async function commandstats() {
  const info = await admin.info('commandstats');
  const out = {};
  for (const line of info.split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (m) out[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  }
  return out;
}

let round = 0;
async function one(clientKind, variant, kind, concurrency, ms) {
  const client = clientKind === 'io' ? await ioClient() : await nodeClient();
  const prefix = `ab:${round}:${Math.random()}:`;
  let run;
  let store;
  if (kind === 'floor')
    run = async () => {
      await client.ping();
      await client.ping();
    };
  else if (kind === 'floor1')
    run = async () => {
      await client.ping();
    };
  else {
    store = new variant.mod.RedisStore({ client: client.c, prefix });
    if (kind === 'store') {
      let n = 0;
      run = async () => {
        const key = `k${n++}`;
        const r = await store.reserve(key, FP, LEASE, TTL);
        if (r.kind !== 'reserved') throw new Error('not reserved');
        if (!(await store.complete(key, r.token, RESPONSE, TTL))) throw new Error('refused');
      };
    } else if (kind === 'replay') {
      const keys = Array.from({ length: 256 }, (_, i) => `r${i}`);
      for (const key of keys) {
        const r = await store.reserve(key, FP, LEASE, TTL);
        await store.complete(key, r.token, RESPONSE, TTL);
      }
      run = async (i) => {
        const r = await store.reserve(keys[i & 255], FP, LEASE, TTL);
        if (r.kind !== 'existing' || r.state !== 'completed') throw new Error('not a replay');
      };
    }
  }
  // warm-up
  await drive(run, concurrency, 150);
  globalThis.gc?.();
  await admin.config('RESETSTAT');
  const scpu0 = await serverCpu();
  const cpu0 = process.cpuUsage();
  const { ops, secs } = await drive(run, concurrency, ms);
  const cpu = process.cpuUsage(cpu0);
  const scpu = (await serverCpu()) - scpu0;
  const stats = await commandstats();
  for (const k of Object.keys(stats)) if (k.startsWith('config')) delete stats[k];
  delete stats.info;
  let usec = 0;
  const per = [];
  for (const [name, s] of Object.entries(stats)) {
    if (!['hmget', 'hset', 'time', 'pexpire', 'pttl', 'del', 'pexpiretime'].includes(name) || !stats.evalsha)
      usec += s.usec;
    per.push(`${name}=${(s.usec / s.calls).toFixed(2)}`);
  }
  await client.close();
  await admin.flushall();
  return {
    ops: ops / secs,
    cpu: (cpu.user + cpu.system) / ops,
    srv: usec / ops,
    scpu: scpu / ops,
    per: per.join(' '),
  };
}

const cases = [];
for (const clientKind of values.clients.split(',')) {
  for (const kind of values.kinds.split(',')) {
    if (kind.startsWith('floor')) cases.push({ clientKind, kind, label: `${clientKind} ${kind}` });
    else
      for (const v of variants)
        cases.push({ clientKind, kind, variant: v, label: `${clientKind} ${kind} ${v.label}` });
  }
}
const results = new Map(cases.map((c) => [c.label, []]));
const concurrencies = values.c.split(',').map(Number);
for (const concurrency of concurrencies) {
  for (round = 0; round < Number(values.rounds); round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) {
      const r = await one(c.clientKind, c.variant, c.kind, concurrency, Number(values.ms));
      results.get(c.label).push(r);
      console.error(
        `c=${concurrency} r${round} ${c.label}: ${r.ops.toFixed(0)} ops/s cpu ${r.cpu.toFixed(1)}us srv ${r.srv.toFixed(2)}us scpu ${r.scpu.toFixed(1)}us [${r.per}]`,
      );
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `\n== ${concurrency} in flight (medians of ${values.rounds} rounds; ratio = ops / floor of same client, per round median)`,
  );
  for (const c of cases) {
    const rs = results.get(c.label);
    const floorRs = results.get(`${c.clientKind} floor`) ?? [];
    const ioFloor = results.get('io floor') ?? [];
    const ratio = floorRs.length ? median(rs.map((r, i) => r.ops / floorRs[i].ops)).toFixed(2) : '-';
    const ioRatio = ioFloor.length ? median(rs.map((r, i) => r.ops / ioFloor[i].ops)).toFixed(2) : '-';
    console.log(
      `${c.label.padEnd(22)} ${median(rs.map((r) => r.ops))
        .toFixed(0)
        .padStart(
          7,
        )} ops/s  x${ratio} (io floor x${ioRatio})  cpu ${median(rs.map((r) => r.cpu)).toFixed(1)} us/op  srv ${median(rs.map((r) => r.srv)).toFixed(2)} us/op  scpu ${median(rs.map((r) => r.scpu)).toFixed(1)} us/op  [${rs[rs.length - 1].per}]`,
    );
  }
  for (const c of cases) results.set(c.label, []);
}
admin.disconnect();
