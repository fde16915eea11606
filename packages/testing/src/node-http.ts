/**
 * `@idempo/testing/node-http`: the app under test over real HTTP, for Node only (it imports `node:http`, so the
 * main entry does not load it). {@link serveHttp} serves a request listener on 127.0.0.1 and a free port;
 * {@link listeningApp} wraps a server a framework started itself; {@link sendHttp} is their client, which keeps
 * repeated field lines apart; {@link sendHttp2} sends the same requests over an HTTP/2 session.
 *
 * @packageDocumentation
 */
export { sendHttp } from './node-http-client.js';
export { type ListeningServer, listeningApp, type ServedHttp, serveHttp } from './node-http-serve.js';
export { type SendHttp2Options, sendHttp2 } from './node-http2-client.js';
