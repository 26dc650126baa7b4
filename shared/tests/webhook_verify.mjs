// An independent verifier of Standard Webhooks' asymmetric signatures (spec 1.0,
// standardwebhooks.com), written from the spec with Node's own crypto, for the Rust signer's
// test: reads {public_key, headers, body, now} as JSON on stdin; exits 0 and prints "valid" if
// the timestamp is within 5 minutes of `now` and one `v1a` signature verifies, else exits 1.
import { createPublicKey, verify } from 'node:crypto';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (c) => { text += c; });
  process.stdin.on('end', () => resolve(text));
}));

function fail(why) {
  console.log(why);
  process.exit(1);
}

const { public_key: publicKey, headers, body, now } = input;
if (!publicKey.startsWith('whpk_')) fail('not a whpk_ key');
const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
if (raw.length !== 32) fail('a public key is 32 bytes');
const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });

const id = headers['webhook-id'];
const timestamp = headers['webhook-timestamp'];
if (!/^[0-9]+$/.test(timestamp)) fail('the timestamp is not integer seconds');
if (Math.abs(Number(timestamp) - now) > 300) fail('stale');
const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.from(body, 'utf8')]);
const ok = headers['webhook-signature']
  .split(' ')
  .filter((s) => s.startsWith('v1a,'))
  .some((s) => verify(null, signed, key, Buffer.from(s.slice(4), 'base64')));
if (!ok) fail('no valid v1a signature');
console.log('valid');
