// JWE interoperability with the npm jose package: encrypts SETs to the server's published keys, and
// decrypts what the server encrypted to a receiver's key. Reads one JSON request on standard input:
//   { "encrypt": [{ "jwk", "alg", "enc", "plaintext" }], "decrypt": [{ "jwk", "alg", "jwe" }] }
// and writes { "encrypted": [compact JWE], "decrypted": [{ "plaintext", "header" }] }.
import { CompactEncrypt, compactDecrypt, importJWK } from 'jose';

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}

const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const answer = { encrypted: [], decrypted: [] };

for (const job of request.encrypt ?? []) {
  const key = await importJWK(job.jwk, job.alg);
  const jwe = await new CompactEncrypt(new TextEncoder().encode(job.plaintext))
    .setProtectedHeader({ alg: job.alg, enc: job.enc, cty: 'JWT', kid: job.jwk.kid })
    .encrypt(key);
  answer.encrypted.push(jwe);
}

for (const job of request.decrypt ?? []) {
  const key = await importJWK(job.jwk, job.alg);
  const { plaintext, protectedHeader } = await compactDecrypt(job.jwe, key);
  answer.decrypted.push({ plaintext: new TextDecoder().decode(plaintext), header: protectedHeader });
}

process.stdout.write(JSON.stringify(answer));
