// Runs jose, an independent JOSE implementation, for the interoperability tests (JoseInteropTests).
// Reads a JSON array of requests on stdin and writes a JSON array of answers, in the same order, on
// stdout. Each answer holds the operation's result, or { "error": { "code", "message" } }.
import {
  CompactEncrypt,
  CompactSign,
  FlattenedSign,
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
    const { privateKey, kid, jwks } = await signingKey(alg);
    const token = await new SignJWT(JSON.parse(payload))
      .setProtectedHeader({ alg, typ: SET_TYP, kid })
      .sign(privateKey);
    return { token, jwks };
  },

  // Signs the payload text byte for byte (it may name a member twice) under a protected header with
  // extra members (crit, b64); `recognized` lists the extensions jose is to accept in crit. With
  // b64: false (RFC 7797), which only the flattened form signs, the compact token carries the payload
  // text as it is.
  async signText({ alg, header, payload, recognized }) {
    const { privateKey, kid, jwks } = await signingKey(alg);
    const protectedHeader = { alg, typ: SET_TYP, kid, ...header };
    const bytes = new TextEncoder().encode(payload);
    const crit = Object.fromEntries((recognized ?? []).map((name) => [name, true]));
    if (protectedHeader.b64 === false) {
      const jws = await new FlattenedSign(bytes).setProtectedHeader(protectedHeader).sign(privateKey, { crit });
      return { token: `${jws.protected}.${payload}.${jws.signature}`, jwks };
    }

    const token = await new CompactSign(bytes).setProtectedHeader(protectedHeader).sign(privateKey, { crit });
    return { token, jwks };
  },

  // Decrypts a compact JWE with a private JWK (RSA, or EC for ECDH-ES), accepting only the given alg.
  async decrypt({ token, privateJwk, alg }) {
    const key = await importJWK(privateJwk, alg);
    const { plaintext, protectedHeader } = await compactDecrypt(token, key, {
      keyManagementAlgorithms: [alg],
    });
    return { plaintext: new TextDecoder().decode(plaintext), header: protectedHeader };
  },

  // Encrypts a signed SET for a public JWK (RSA, or EC for ECDH-ES) as a nested JWT (RFC 7519 §5.2: cty JWT).
  async encrypt({ plaintext, publicJwk, alg, enc }) {
    const key = await importJWK(publicJwk, alg);
    const token = await new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg, enc, cty: 'JWT', kid: publicJwk.kid })
      .encrypt(key);
    return { token };
  },
};

// A fresh key pair for alg: the private key, its kid (the JWK thumbprint) and the public key as a JWKS.
async function signingKey(alg) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, kid, jwks: { keys: [{ ...jwk, kid, alg, use: 'sig' }] } };
}

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
