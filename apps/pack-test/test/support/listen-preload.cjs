// Loaded with `node --require` before a README quick start: whatever port the quick start listens on (3000 in
// the READMEs), its servers listen on a free one, and the first server that listens tells the parent process
// where, over the IPC channel. Plain CommonJS, so that it preloads into an ES module and a CommonJS run alike.
const net = require('node:net');

const listen = net.Server.prototype.listen;
let reported = false;

net.Server.prototype.listen = function listenOnAFreePort(...args) {
  const [first] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) args[0] = 0;
  else if (first !== null && typeof first === 'object' && 'port' in first) args[0] = { ...first, port: 0 };
  this.once('listening', () => {
    if (reported) return;
    reported = true;
    const address = this.address();
    if (address !== null && typeof address === 'object') {
      process.send?.({ listening: { address: address.address, port: address.port } });
    }
  });
  return listen.apply(this, args);
};
