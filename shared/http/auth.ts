/**
 * Bearer tokens: HS256 JWTs signed with our key (jose). Issued by the auth function,
 * verified by every function's HTTP stack.
 */
import { SignJWT, jwtVerify } from 'jose';
import { secretValue } from '../runtime/secrets';
import { unauthorized } from './errors';

export const ROLES = ['passenger', 'operator', 'bike-operator', 'regulator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthUser {
  id: string;
  roles: Role[];
  /** Extra scoping claims, e.g. a regulator's city or a bike operator's operator id. */
  cityId?: string;
  operatorId?: string;
}

const ISSUER = 'yizhan';
const AUDIENCE = 'yizhan-api';
export const TOKEN_TTL_SECONDS = 12 * 3600;

let keyPromise: Promise<Uint8Array> | undefined;
function signingKey(): Promise<Uint8Array> {
  keyPromise ??= secretValue('JWT_SECRET').then((s) => new TextEncoder().encode(s));
  keyPromise.catch(() => (keyPromise = undefined));
  return keyPromise;
}
/** Tests and the local runner call this after changing JWT_SECRET. */
export function resetSigningKey() {
  keyPromise = undefined;
}

export async function issueToken(user: AuthUser, now = new Date()): Promise<{ token: string; expiresAt: string }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + TOKEN_TTL_SECONDS;
  const token = await new SignJWT({
    roles: user.roles,
    ...(user.cityId ? { cityId: user.cityId } : {}),
    ...(user.operatorId ? { operatorId: user.operatorId } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(await signingKey());
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

export async function verifyBearer(header: string | undefined): Promise<AuthUser> {
  if (!header) throw unauthorized();
  const m = /^Bearer\s+([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)$/.exec(header.trim());
  if (!m) throw unauthorized('The Authorization header must be "Bearer <token>".');
  try {
    const { payload } = await jwtVerify(m[1], await signingKey(), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const roles = Array.isArray(payload.roles) ? (payload.roles.filter((r) => ROLES.includes(r as Role)) as Role[]) : [];
    if (!payload.sub) throw new Error('no subject');
    if (!roles.includes('passenger')) roles.unshift('passenger');
    return {
      id: payload.sub,
      roles,
      ...(typeof payload.cityId === 'string' ? { cityId: payload.cityId } : {}),
      ...(typeof payload.operatorId === 'string' ? { operatorId: payload.operatorId } : {}),
    };
  } catch {
    throw unauthorized('The bearer token is invalid or expired.');
  }
}
