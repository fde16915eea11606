/**
 * `@idempo/testing/node-http`: the app under test over real HTTP, for Node only (it imports `node:http`, so the
 * main entry does not load it). {@link serveHttp} serves a request listener on 127.0.0.1 and a free port;
 * {@link listeningApp} wraps a server a framework started itself; {@link sendHttp} is their client, which keeps
 * repeated field lines apart.
 *
 * @packageDocumentation
 */
export { sendHttp } from './node-http-client.js';
export { type ListeningServer, listeningApp, type ServedHttp, serveHttp } from './node-http-serve.js';
