/**
 * Real-name riders (deposit-free). The ID number, phone and name are stored only as
 * envelope-encrypted blobs; a blind index of the ID number guards "one rider per person".
 * Responses carry masks; nothing here is ever logged.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { ageOn, normalisePhone, parseIdNumber } from '../../shared/domain/idnumber';
import { maskIdNumber, maskName, maskPhone } from '../../shared/domain/mask';
import { serviceDay, toShanghaiIso } from '../../shared/domain/time';
import { blindIndex, encryptPii, piiAad, type KeyProvider } from '../../shared/crypto/pii';
import { badRequest, conflict, unprocessable } from '../../shared/http/errors';
import { bikeKeys } from './keys';
import { cancellationReasons, transact } from './tx';
import type { Deps } from './fleet';

export const MIN_RIDER_AGE = 12;

export interface RiderItem {
  userId: string;
  nameEnc: string;
  idNumberEnc: string;
  phoneEnc: string;
  nameMasked: string;
  idNumberMasked: string;
  phoneMasked: string;
  registeredAt: string;
  openRideId?: string;
  unpaidOrderId?: string;
}

export function riderView(r: RiderItem) {
  return {
    userId: r.userId,
    name: r.nameMasked,
    idNumber: r.idNumberMasked,
    phone: r.phoneMasked,
    depositFen: 0,
    registeredAt: toShanghaiIso(r.registeredAt),
    ...(r.openRideId ? { openRideId: r.openRideId } : {}),
    ...(r.unpaidOrderId ? { unpaidOrderId: r.unpaidOrderId } : {}),
  };
}

export async function registerRider(
  { db, now, keys }: Deps & { keys: KeyProvider },
  userId: string,
  input: { name: string; idNumber: string; phone: string },
): Promise<RiderItem> {
  const today = serviceDay(now);
  const parsed = parseIdNumber(input.idNumber, today);
  if (!parsed.valid) {
    throw badRequest('invalid_id_number', 'The ID number is not a valid resident ID number.', { errors: [{ field: '/body/idNumber', message: `is invalid (${parsed.reason})` }] });
  }
  const phone = normalisePhone(input.phone);
  if (!phone) throw badRequest('invalid_phone', 'The phone is not a mainland mobile number.', { errors: [{ field: '/body/phone', message: 'is not a mainland mobile number' }] });
  const name = input.name.trim();
  if (!name) throw badRequest('validation_failed', 'The name is empty.', { errors: [{ field: '/body/name', message: 'is empty' }] });
  if (ageOn(parsed.birthDate, today) < MIN_RIDER_AGE) {
    throw unprocessable('too_young', `Riders must be at least ${MIN_RIDER_AGE} years old.`, { extra: { minimumAge: MIN_RIDER_AGE } });
  }
  const blind = await blindIndex(keys, parsed.idNumber, 'bikeRiderIdNumber');
  const rider: RiderItem = {
    userId,
    nameEnc: await encryptPii(keys, name, piiAad(userId, 'name')),
    idNumberEnc: await encryptPii(keys, parsed.idNumber, piiAad(userId, 'idNumber')),
    phoneEnc: await encryptPii(keys, phone, piiAad(userId, 'phone')),
    nameMasked: maskName(name),
    idNumberMasked: maskIdNumber(parsed.idNumber),
    phoneMasked: maskPhone(phone),
    registeredAt: now.toISOString(),
  };
  try {
    await transact(db, [
      { Put: { TableName: db.tableName, Item: { ...bikeKeys.rider(userId), type: 'BikeRider', ...rider }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: db.tableName, Item: { ...bikeKeys.riderIdNumber(blind), type: 'BikeRiderIdGuard', userId }, ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
  } catch (e) {
    const reasons = cancellationReasons(e);
    if (reasons[0]?.Code === 'ConditionalCheckFailed') throw conflict('rider_already_registered', 'You are already registered as a rider.');
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw conflict('id_number_already_registered', 'This ID number is already registered to another account.');
    throw e;
  }
  return rider;
}

export async function getRider(db: Db, userId: string, consistent = false): Promise<RiderItem | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: bikeKeys.rider(userId), ConsistentRead: consistent }));
  if (!out.Item) return undefined;
  const { PK, SK, type, ...rest } = out.Item;
  return rest as RiderItem;
}
