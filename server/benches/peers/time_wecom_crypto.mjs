// Times Tencent's @wecom/crypto on the message our criterion bench wrote:
// envelope parse + signature check + decrypt + event parse, like /wecom/callback does.
// Usage: node time_wecom_crypto.mjs MESSAGE.json  -> prints ns per operation (JSON)
import { readFileSync } from 'node:fs';
import { getSignature, decrypt } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';

const m = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const parser = new XMLParser();

function once() {
  const encrypt = parser.parse(m.body).xml.Encrypt;
  if (getSignature(m.token, m.timestamp, m.nonce, encrypt) !== m.msg_signature) throw new Error('signature');
  const { message, id } = decrypt(m.aes_key, encrypt);
  if (id !== m.corp_id) throw new Error('receiveid');
  const event = parser.parse(message).xml;
  if (event.ChangeType !== 'add_external_contact') throw new Error('parse');
  return event;
}

for (let i = 0; i < 2000; i++) once(); // warm-up (JIT)
const rounds = 20000;
const started = process.hrtime.bigint();
for (let i = 0; i < rounds; i++) once();
const ns = Number(process.hrtime.bigint() - started) / rounds;
console.log(JSON.stringify({ implementation: '@wecom/crypto 1.0.1 + fast-xml-parser', ns_per_op: Math.round(ns) }));
