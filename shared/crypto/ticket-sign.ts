/**
 * E-ticket QR codes signed with Ed25519, verifiable offline by a gate or an
 * inspector's device holding only the public key (see {@link publicKeyJwk}).
 *
 *     YZ1.<base64url(JSON payload)>.<base64url(64-byte signature)>
 *
 * The signature covers the ASCII bytes `YZ1.<payload part>` (like JWS), so the
 * version prefix is bound too. Field names are short to keep the QR small (about
 * 300 characters for a typical ticket, well inside a version-10 QR at level M).
 * The passenger name in `psg` must already be masked: a QR is shown on screens.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as edSign,
  verify as edVerify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

export const TICKET_QR_PREFIX = 'YZ1';
/** Longest QR string accepted by verifyTicket (defends the parser against junk). */
const MAX_QR_LENGTH = 2048;

/** What a ticket QR says. */
export interface TicketPayload {
  /** ticket id (tkt_...) */
  tid: string;
  /** trip id (trp_...) */
  trp: string;
  /** boarding stop/station code or name */
  frm: string;
  /** alighting stop/station code or name */
  to: string;
  /** seat/cabin class code */
  cls: string;
  /** seat, e.g. '05车12A'; '' for unreserved */
  seat: string;
  /** masked passenger name, e.g. '张*丰' */
  psg: string;
  /** departure, epoch seconds */
  dep: number;
  /** issued at, epoch seconds */
  iat: number;
}

export type InvalidTicketReason = 'malformed' | 'bad_signature' | 'bad_payload';

/** Thrown by verifyTicket for anything that is not a genuine, well-formed ticket. */
export class InvalidTicketError extends Error {
  readonly reason: InvalidTicketReason;
  constructor(reason: InvalidTicketReason, message: string) {
    super(message);
    this.name = 'InvalidTicketError';
    this.reason = reason;
  }
}

const STRING_FIELDS = ['tid', 'trp', 'frm', 'to', 'cls', 'seat', 'psg'] as const;
const NUMBER_FIELDS = ['dep', 'iat'] as const;

/** Check a payload's shape; returns a copy with exactly the known fields, or an error message. */
function checkPayload(p: unknown): TicketPayload | string {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return 'payload must be an object';
  const o = p as Record<string, unknown>;
  for (const f of STRING_FIELDS) {
    if (typeof o[f] !== 'string') return `${f} must be a string`;
    if ((o[f] as string).length > 64) return `${f} is too long`;
  }
  for (const f of NUMBER_FIELDS) {
    if (typeof o[f] !== 'number' || !Number.isSafeInteger(o[f]) || (o[f] as number) < 0) {
      return `${f} must be epoch seconds`;
    }
  }
  for (const f of ['tid', 'trp', 'psg'] as const) if ((o[f] as string).length === 0) return `${f} is empty`;
  return {
    tid: o.tid as string,
    trp: o.trp as string,
    frm: o.frm as string,
    to: o.to as string,
    cls: o.cls as string,
    seat: o.seat as string,
    psg: o.psg as string,
    dep: o.dep as number,
    iat: o.iat as number,
  };
}

// Parsing PEM on every call is the slow part of signing; keep a few parsed keys.
const keyCache = new Map<string, KeyObject>();
function cachedKey(kind: 'private' | 'public', pem: string): KeyObject {
  const k = `${kind}:${pem}`;
  let key = keyCache.get(k);
  if (!key) {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`ticket keys must be Ed25519, got ${key.asymmetricKeyType}`);
    if (keyCache.size >= 16) keyCache.clear();
    keyCache.set(k, key);
  }
  return key;
}

/** Sign a ticket payload; returns the QR string `YZ1.<payload>.<sig>`. Throws on an invalid payload. */
export function signTicket(privateKeyPem: string, payload: TicketPayload): string {
  const checked = checkPayload(payload);
  if (typeof checked === 'string') throw new TypeError(`signTicket: ${checked}`);
  const body = Buffer.from(JSON.stringify(checked), 'utf8').toString('base64url');
  const signingInput = `${TICKET_QR_PREFIX}.${body}`;
  const sig = edSign(null, Buffer.from(signingInput, 'ascii'), cachedKey('private', privateKeyPem));
  return `${signingInput}.${sig.toString('base64url')}`;
}

/**
 * Verify a QR string and return its payload. Throws {@link InvalidTicketError}
 * with reason 'malformed' (not a YZ1 string), 'bad_signature' (altered, or signed
 * by another key) or 'bad_payload' (signed but not a well-formed payload).
 * Does not judge validity in time (departed, refunded): that is the caller's rule.
 * `publicKey` is a PEM string or a JWK from {@link publicKeyJwk}.
 */
export function verifyTicket(publicKey: string | JsonWebKey, qr: string): TicketPayload {
  if (typeof qr !== 'string' || qr.length > MAX_QR_LENGTH) throw new InvalidTicketError('malformed', 'not a ticket QR');
  const parts = qr.trim().split('.');
  if (parts.length !== 3 || parts[0] !== TICKET_QR_PREFIX || !/^[A-Za-z0-9_-]+$/.test(parts[1]) || !/^[A-Za-z0-9_-]+$/.test(parts[2])) {
    throw new InvalidTicketError('malformed', 'not a ticket QR');
  }
  const sig = Buffer.from(parts[2], 'base64url');
  if (sig.length !== 64) throw new InvalidTicketError('malformed', 'signature has the wrong length');
  const key =
    typeof publicKey === 'string'
      ? cachedKey('public', publicKey)
      : createPublicKey({ key: publicKey, format: 'jwk' });
  const ok = edVerify(null, Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'), key, sig);
  if (!ok) throw new InvalidTicketError('bad_signature', 'ticket signature does not verify');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTicketError('bad_payload', 'ticket payload is not JSON');
  }
  const checked = checkPayload(parsed);
  if (typeof checked === 'string') throw new InvalidTicketError('bad_payload', checked);
  return checked;
}

/** A new Ed25519 key pair as PEM (PKCS#8 private, SPKI public). */
export function generateTicketKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * The public JWK ({kty:'OKP', crv:'Ed25519', x}) of a PEM key (public or
 * private — only the public part is returned), for gate devices and the
 * /.well-known style key endpoint.
 */
export function publicKeyJwk(pem: string): JsonWebKey {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('not an Ed25519 key');
  const jwk = key.export({ format: 'jwk' });
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}
