/**
 * The reference for benchmark 2: Mosquitto plus a subscriber feeding the same consoles. This
 * process subscribes to benchref2/+/up/event at QoS 1 and sends each message, serialized once,
 * to every WebSocket client on its port, in a frame padded to FRAME_BYTES (its argument; the hub's
 * mean frame, bench/b2-latency.ts). Started by bench/b2-latency.ts; prints "ready PORT".
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import mqtt from 'mqtt';

const FRAME_BYTES = Number(process.argv[2] ?? 0);
const PAD = 'x'.repeat(Math.max(0, FRAME_BYTES));
const clients = new Set<WebSocket>();
const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });
let seq = 0;
wss.on('connection', (ws) => {
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
  ws.send('{"type":"snapshot","seq":0,"alerts":[]}');
});
const sub = mqtt.connect('mqtt://127.0.0.1:1883', { clientId: `bench-bridge-${process.pid}`, clean: true, reconnectPeriod: 0 });
sub.on('message', (topic, payload) => {
  const deviceId = topic.split('/')[1];
  const head = `{"type":"change","seq":${++seq},"alert":{"deviceId":"${deviceId}","event":${payload.toString()},"pad":"`;
  const frame = Buffer.from(`${head}${PAD.slice(0, Math.max(0, FRAME_BYTES - head.length - 4))}"}}`);
  for (const c of clients) c.send(frame, { binary: false });
});
sub.on('connect', () => {
  sub.subscribe('benchref2/+/up/event', { qos: 1 }, () => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      process.stdout.write(`ready ${typeof a === 'object' && a ? a.port : 0}\n`);
    });
  });
});
process.on('SIGTERM', () => { sub.end(true); server.close(); process.exit(0); });
