/**
 * The e-ticket signing key (Ed25519, PKCS#8 PEM): from the file in TICKET_SIGNING_KEY_FILE
 * in the local stage (generated under DATA_DIR/keys), else from the secret
 * TICKET_SIGNING_KEY (Secrets Manager in AWS, see shared/runtime/secrets.ts).
 */
import { readFileSync } from 'node:fs';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { secretValue } from '../../shared/runtime/secrets';
import { publicKeyJwk } from '../../shared/crypto/ticket-sign';

const cache = new Map<string, Promise<string>>();

export function ticketPrivateKeyPem(): Promise<string> {
  const file = process.env.TICKET_SIGNING_KEY_FILE;
  const id = file ? `file:${file}` : 'secret';
  let p = cache.get(id);
  if (!p) {
    p = file ? Promise.resolve().then(() => readFileSync(file, 'utf8')) : secretValue('TICKET_SIGNING_KEY');
    p.catch(() => cache.delete(id));
    cache.set(id, p);
  }
  return p;
}

/** The public half, as PEM (SPKI) and JWK, for gates and GET /v1/tickets/public-key. */
export async function ticketPublicKey(): Promise<{ pem: string; jwk: JsonWebKey }> {
  const priv = await ticketPrivateKeyPem();
  const pem = createPublicKey(priv).export({ type: 'spki', format: 'pem' }).toString();
  return { pem, jwk: publicKeyJwk(priv) };
}
