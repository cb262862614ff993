// Runs jose, an independent JOSE implementation, for the interoperability tests (JoseInteropTests).
// Reads a JSON array of requests on stdin and writes a JSON array of answers, in the same order, on
// stdout. Each answer holds the operation's result, or { "error": { "code", "message" } }.
import {
  CompactEncrypt,
  SignJWT,
  calculateJwkThumbprint,
  compactDecrypt,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
} from 'jose';

const SET_TYP = 'secevent+jwt';
const KEY_MANAGEMENT = 'RSA-OAEP';

const operations = {
  // Verifies a SET as a receiver would: signature against the JWKS, typ, iss, aud and the SET claims.
  async verify({ token, jwks, issuer, audience }) {
    const { protectedHeader, payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      typ: SET_TYP,
      issuer,
      audience,
      requiredClaims: ['iss', 'iat', 'jti', 'events'],
    });
    return { header: protectedHeader, payload };
  },

  // Signs a SET with a fresh key pair; answers the token and the public key as a JWKS.
  async sign({ alg, payload }) {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const token = await new SignJWT(JSON.parse(payload))
      .setProtectedHeader({ alg, typ: SET_TYP, kid })
      .sign(privateKey);
    return { token, jwks: { keys: [{ ...jwk, kid, alg, use: 'sig' }] } };
  },

  // Decrypts a compact JWE with an RSA private JWK.
  async decrypt({ token, privateJwk }) {
    const key = await importJWK(privateJwk, KEY_MANAGEMENT);
    const { plaintext, protectedHeader } = await compactDecrypt(token, key, {
      keyManagementAlgorithms: [KEY_MANAGEMENT],
    });
    return { plaintext: new TextDecoder().decode(plaintext), header: protectedHeader };
  },

  // Encrypts a signed SET for an RSA public JWK as a nested JWT (RFC 7519 §5.2: cty JWT).
  async encrypt({ plaintext, publicJwk, enc }) {
    const key = await importJWK(publicJwk, KEY_MANAGEMENT);
    const token = await new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: KEY_MANAGEMENT, enc, cty: 'JWT', kid: publicJwk.kid })
      .encrypt(key);
    return { token };
  },
};

async function answer(request) {
  const operation = operations[request.op];
  if (!operation) {
    return { error: { code: 'ERR_UNKNOWN_OPERATION', message: `no operation '${request.op}'` } };
  }

  try {
    return await operation(request);
  } catch (error) {
    return { error: { code: error.code ?? error.name, message: error.message } };
  }
}

let input = '';
for await (const chunk of process.stdin) {
  input += chunk;
}

const answers = [];
for (const request of JSON.parse(input)) {
  answers.push(await answer(request));
}

process.stdout.write(JSON.stringify(answers));
