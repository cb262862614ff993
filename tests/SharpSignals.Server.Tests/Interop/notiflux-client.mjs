// A notiflux client and publisher built from independent npm packages, for NotifluxInteropTests:
// jose signs the ES256 tokens as a notiflux publisher would, ws is the subscriber's WebSocket, and
// the broadcast is notiflux's POST body. Reads one JSON request on stdin and writes one JSON answer
// on stdout: the text frames each subscriber got, in order, and the broadcasts' HTTP statuses.
import { SignJWT, importPKCS8 } from 'jose';
import WebSocket from 'ws';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));
const { baseUrl, privateKeyPem, topic, messages } = input;
const key = await importPKCS8(privateKeyPem, 'ES256');

// notiflux's token: sub, exp, topic and scope, signed with ES256.
const token = (scope, claims = {}) => new SignJWT({ topic, scope, ...claims })
  .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
  .setSubject('notiflux')
  .setExpirationTime('5m')
  .sign(key);

const connect = () => new Promise((resolve, reject) => {
  const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/ws');
  const frames = [];
  socket.on('message', (data) => frames.push(data.toString()));
  socket.on('open', () => resolve({ socket, frames }));
  socket.on('error', reject);
});
const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const broadcast = async (message, scope = 'broadcast') => {
  const response = await fetch(baseUrl + '/broadcast', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ topic, message, token: await token(scope) }),
  });
  return response.status;
};

const subscriber = await connect();
subscriber.socket.send(`/subscribe ${topic} ${await token('subscribe')}`);
const refused = await connect();
refused.socket.send(`/subscribe ${topic} ${await token('broadcast')}`);
refused.socket.send('/subscribe');
refused.socket.send('/what');
await settle(300);

const statuses = [];
for (const message of messages) {
  statuses.push(await broadcast(message));
}
statuses.push(await broadcast('not relayed', 'subscribe'));
await settle(500);

subscriber.socket.send('/unsubscribe-all');
await settle(300);
statuses.push(await broadcast('after unsubscribe-all'));
await settle(300);

subscriber.socket.close();
refused.socket.close();
process.stdout.write(JSON.stringify({ statuses, received: subscriber.frames, refused: refused.frames }));
