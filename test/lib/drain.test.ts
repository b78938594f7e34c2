import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { watchDrain } from '../../lib/drain.js';

/*
 * The drain a stop runs before it closes (lib/drain.ts), on a plain HTTP
 * server and raw sockets, so that "a connection accepted but not read yet" is
 * exactly that: the client connects and sends its request later.
 */

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(): Promise<{ server: Server; port: number }> {
  const server = createServer((_request, response) => {
    response.end('ok');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A raw connection; `send()` writes one GET and resolves with the whole answer once the server ends it. */
async function open(port: number): Promise<{ send(): Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)));
  return {
    send() {
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      return ended;
    },
  };
}

describe('the drain before a stop', () => {
  it('waits for a connection that has not sent its request yet, and that request is answered with Connection: close', async () => {
    const { server, port } = await serve();
    const drain = watchDrain(server, { quietMs: 50 });
    const client = await open(port);
    let drained = false;
    const draining = drain.drain().then(() => (drained = true));
    expect(drain.draining).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Still open: the connection was accepted and has not been read.
    expect(drained).toBe(false);
    const answer = client.send();
    await draining;
    server.close();
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text.toLowerCase()).toContain('connection: close');
  });

  it('ends soon on a quiet server, at no less than its minimum', async () => {
    const { server } = await serve();
    const started = performance.now();
    await watchDrain(server, { quietMs: 50 }).drain();
    const quiet = performance.now() - started;
    expect(quiet).toBeLessThan(2_000);
    const held = performance.now();
    await watchDrain(server, { minimumMs: 300, quietMs: 50 }).drain();
    expect(performance.now() - held).toBeGreaterThanOrEqual(299);
  });

  it('does not wait for ever on a client that connects and never sends', async () => {
    const { server, port } = await serve();
    const drain = watchDrain(server, { quietMs: 50, maximumMs: 20_000 });
    await open(port);
    const started = performance.now();
    await drain.drain();
    // The unread grace (1 s), not the 20 s maximum.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
