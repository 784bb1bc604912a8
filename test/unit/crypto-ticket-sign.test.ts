import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateTicketKeyPair,
  InvalidTicketError,
  publicKeyJwk,
  signTicket,
  verifyTicket,
  type TicketPayload,
} from '../../shared/crypto/ticket-sign';

const keys = generateTicketKeyPair();
const other = generateTicketKeyPair();

const payload: TicketPayload = {
  tid: 'tkt_01JF3Z6W9K8D2Q4N7M5X0R1T2V',
  trp: 'trp_01JF3Z6W9K8D2Q4N7M5X0R1T2W',
  frm: 'BJP',
  to: 'SHH',
  cls: 'O',
  seat: '05车12A',
  psg: '张*丰',
  dep: 1764549000,
  iat: 1764000000,
};

/** Expect verifyTicket to throw InvalidTicketError with the given reason. */
function expectInvalid(fn: () => unknown, reason: InvalidTicketError['reason']) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidTicketError);
    expect((e as InvalidTicketError).reason).toBe(reason);
    return;
  }
  throw new Error('expected InvalidTicketError');
}

describe('signTicket / verifyTicket', () => {
  it('verifies a genuine ticket and returns its payload', () => {
    const qr = signTicket(keys.privateKeyPem, payload);
    expect(qr).toMatch(/^YZ1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(verifyTicket(keys.publicKeyPem, qr)).toEqual(payload);
  });

  it('is QR-friendly (short, URL-safe, no padding)', () => {
    const qr = signTicket(keys.privateKeyPem, payload);
    expect(qr.length).toBeLessThan(400);
    expect(qr).not.toMatch(/[+/=\s]/);
  });

  it('verifies with the public JWK too', () => {
    const qr = signTicket(keys.privateKeyPem, payload);
    const jwk = publicKeyJwk(keys.publicKeyPem);
    expect(jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(verifyTicket(jwk, qr)).toEqual(payload);
    // From the private key, only the public part comes out.
    expect(publicKeyJwk(keys.privateKeyPem)).toEqual(jwk);
  });

  it('rejects an altered payload (seat changed)', () => {
    const qr = signTicket(keys.privateKeyPem, payload);
    const [p, , s] = qr.split('.');
    const altered = Buffer.from(JSON.stringify({ ...payload, seat: '01车01A' })).toString('base64url');
    expectInvalid(() => verifyTicket(keys.publicKeyPem, `${p}.${altered}.${s}`), 'bad_signature');
  });

  it('rejects an altered signature', () => {
    const qr = signTicket(keys.privateKeyPem, payload);
    const [p, b, s] = qr.split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[10] ^= 0x01;
    expectInvalid(() => verifyTicket(keys.publicKeyPem, `${p}.${b}.${sig.toString('base64url')}`), 'bad_signature');
  });

  it('rejects a ticket signed with another key', () => {
    const qr = signTicket(other.privateKeyPem, payload);
    expectInvalid(() => verifyTicket(keys.publicKeyPem, qr), 'bad_signature');
  });

  it('binds the version prefix', () => {
    const qr = signTicket(keys.privateKeyPem, payload);
    expectInvalid(() => verifyTicket(keys.publicKeyPem, qr.replace(/^YZ1/, 'YZ2')), 'malformed');
  });

  it.each([
    '',
    'garbage',
    'YZ1..',
    'YZ1.abc',
    'YZ1.abc.def',
    'YZ1.a+b.cd',
    `YZ1.${'a'.repeat(3000)}.b`,
    'eyJhbGciOiJFZERTQSJ9.eyJ0aWQiOiJ4In0.c2ln',
  ])('rejects garbage %#', (qr) => {
    expectInvalid(() => verifyTicket(keys.publicKeyPem, qr), 'malformed');
  });

  it('rejects non-string input', () => {
    expectInvalid(() => verifyTicket(keys.publicKeyPem, 42 as unknown as string), 'malformed');
  });

  it('rejects a correctly signed but ill-formed payload', () => {
    // Sign by hand so the payload check in signTicket is bypassed.
    const body = Buffer.from(JSON.stringify({ tid: 'tkt_x', dep: 'soon' })).toString('base64url');
    const privateKey = keys.privateKeyPem;
    const sig = sign(null, Buffer.from(`YZ1.${body}`), privateKey).toString('base64url');
    expectInvalid(() => verifyTicket(keys.publicKeyPem, `YZ1.${body}.${sig}`), 'bad_payload');
    const notJson = Buffer.from('not json').toString('base64url');
    const sig2 = sign(null, Buffer.from(`YZ1.${notJson}`), privateKey).toString('base64url');
    expectInvalid(() => verifyTicket(keys.publicKeyPem, `YZ1.${notJson}.${sig2}`), 'bad_payload');
  });

  it('drops unknown fields and refuses to sign an invalid payload', () => {
    const qr = signTicket(keys.privateKeyPem, { ...payload, extra: 'x' } as TicketPayload);
    expect(verifyTicket(keys.publicKeyPem, qr)).not.toHaveProperty('extra');
    expect(() => signTicket(keys.privateKeyPem, { ...payload, dep: 1.5 })).toThrow(TypeError);
    expect(() => signTicket(keys.privateKeyPem, { ...payload, psg: '' })).toThrow(TypeError);
  });

  it('refuses non-Ed25519 keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => signTicket(pem, payload)).toThrow(/Ed25519/);
  });
});
