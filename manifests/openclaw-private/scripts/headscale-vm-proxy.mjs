#!/usr/bin/env node
// headscale-vm-proxy: a plain TCP forwarder (services.headscale-vm-proxy).
//
// Headscale publishes only on the Mac's 127.0.0.1:8080, which the oc-exit VM cannot reach. The VM
// sees the Mac as 192.168.64.1 on the vmnet bridge (bridge100), so this forwards
// 192.168.64.1:8080 → 127.0.0.1:8080 byte for byte: TLS passes through and Headscale terminates it.
// Binding only the bridge address keeps Headscale off the Mac's other networks.
//
// LISTEN_HOST, LISTEN_PORT, TARGET_HOST and TARGET_PORT override the defaults; the stack also runs
// it as containers.openclaw-ui (0.0.0.0:18789 → openclaw:18789).
//
// If the listen address does not exist yet (no VM or Apple container has brought bridge100 up),
// the script exits with status 1 and launchd starts it again after its throttle interval.
import net from 'node:net';

const listenHost = process.env.LISTEN_HOST ?? '192.168.64.1';
const listenPort = Number(process.env.LISTEN_PORT ?? 8080);
const targetHost = process.env.TARGET_HOST ?? '127.0.0.1';
const targetPort = Number(process.env.TARGET_PORT ?? 8080);

const log = (message) => console.log(`${new Date().toISOString()} ${message}`);

const server = net.createServer((client) => {
  const upstream = net.connect({ host: targetHost, port: targetPort });
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', close).on('close', close);
  upstream.on('error', (error) => {
    log(`${client.remoteAddress}:${client.remotePort} → ${targetHost}:${targetPort} failed: ${error.code ?? error.message}`);
    close();
  }).on('close', close);
});

server.on('error', (error) => {
  log(`listen ${listenHost}:${listenPort} failed: ${error.code ?? error.message}`);
  process.exit(1);
});

server.listen(listenPort, listenHost, () => {
  log(`forwarding ${listenHost}:${listenPort} → ${targetHost}:${targetPort}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    process.exit(0);
  });
}
