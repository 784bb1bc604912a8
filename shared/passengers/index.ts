/**
 * Real-name passengers of a user (ticketing, cruise). The document number is validated
 * (GB 11643 check digit for mainland ID cards, passport shape otherwise), encrypted at
 * rest (AES-256-GCM envelope, AAD = `${userId}#idNumber`) and indexed by an HMAC blind
 * index (`idHash`). The plaintext is never stored, never returned and never logged.
 *
 * Items (PK `USER#<userId>`):
 *   SK `PSG#<passengerId>`   the passenger {id, name, idType, idNumberEnc, idNumberMasked, idHash, birthDate?}
 *   SK `PSGIDX#<idHash>`     uniqueness guard: one passenger per document number per user
 */
import { GetCommand, QueryCommand, TransactWriteCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client';
import { newId } from '../domain/ids';
import { parseIdNumber, isValidPassport, normalisePassport } from '../domain/idnumber';
import { maskIdNumber, maskPassport } from '../domain/mask';
import { todayInShanghai } from '../domain/time';
import { blindIndex, encryptPii, piiAad } from '../crypto/pii';
import { piiKeyProvider } from '../crypto/provider';
import { badRequest, conflict, notFound, unprocessable } from '../http/errors';

export type IdType = 'id_card' | 'passport';

export interface PassengerView {
  id: string;
  name: string;
  idType: IdType;
  idNumberMasked: string;
}

export interface PassengerRecord extends PassengerView {
  /** YYYY-MM-DD, from the ID card number (absent for passports). */
  birthDate?: string;
  /** Blind index of the document number: identifies the person across users (overlap rules). */
  idHash: string;
}

/** Most passengers one user may keep (12306 allows 15 for an ordinary account). */
export const MAX_PASSENGERS_PER_USER = 15;

export const passengerKeys = {
  passenger: (userId: string, id: string) => ({ PK: `USER#${userId}`, SK: `PSG#${id}` }),
  guard: (userId: string, idHash: string) => ({ PK: `USER#${userId}`, SK: `PSGIDX#${idHash}` }),
};

function view(item: Record<string, any>): PassengerView {
  return { id: item.id, name: item.name, idType: item.idType, idNumberMasked: item.idNumberMasked };
}

function record(item: Record<string, any>): PassengerRecord {
  return { ...view(item), ...(item.birthDate ? { birthDate: item.birthDate } : {}), idHash: item.idHash };
}

/**
 * Adds a passenger. 400 invalid_id_number (bad check digit, date, region or shape),
 * 409 duplicate_passenger (this user already has this document number),
 * 422 too_many_passengers.
 */
export async function createPassenger(
  db: Db,
  userId: string,
  input: { name: string; idType: IdType; idNumber: string },
  now: Date = new Date(),
): Promise<PassengerView> {
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (!name) throw badRequest('invalid_name', 'The name must not be empty.');
  let normalised: string;
  let masked: string;
  let birthDate: string | undefined;
  if (input.idType === 'id_card') {
    const parsed = parseIdNumber(input.idNumber, todayInShanghai(now));
    if (!parsed.valid) throw badRequest('invalid_id_number', `The ID card number is not valid (${parsed.reason}).`);
    normalised = parsed.idNumber;
    masked = maskIdNumber(normalised);
    birthDate = parsed.birthDate;
  } else {
    if (!isValidPassport(input.idNumber)) throw badRequest('invalid_id_number', 'The passport number is not valid.');
    normalised = normalisePassport(input.idNumber);
    masked = maskPassport(normalised);
  }
  const provider = piiKeyProvider();
  const idHash = await blindIndex(provider, normalised, input.idType === 'id_card' ? 'idNumber' : 'passport');
  const existing = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':p': 'PSG#' },
      Select: 'COUNT',
      ConsistentRead: true,
    }),
  );
  if ((existing.Count ?? 0) >= MAX_PASSENGERS_PER_USER) {
    throw unprocessable('too_many_passengers', `At most ${MAX_PASSENGERS_PER_USER} passengers per account.`);
  }
  const id = newId('psg');
  const idNumberEnc = await encryptPii(provider, normalised, piiAad(userId, 'idNumber'));
  const item = {
    ...passengerKeys.passenger(userId, id),
    type: 'Passenger',
    id,
    userId,
    name,
    idType: input.idType,
    idNumberEnc,
    idNumberMasked: masked,
    idHash,
    ...(birthDate ? { birthDate } : {}),
    createdAt: now.toISOString(),
  };
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.tableName,
              Item: { ...passengerKeys.guard(userId, idHash), type: 'PassengerGuard', passengerId: id },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          { Put: { TableName: db.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
        ],
      }),
    );
  } catch (e: any) {
    if (e?.name === 'TransactionCanceledException' && e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
      throw conflict('duplicate_passenger', 'You already added a passenger with this document number.');
    }
    throw e;
  }
  return view(item);
}

/** The user's passengers, oldest first. */
export async function listPassengers(db: Db, userId: string): Promise<PassengerView[]> {
  const out: PassengerView[] = [];
  let start: Record<string, any> | undefined;
  do {
    const r = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':p': 'PSG#' },
        ExclusiveStartKey: start,
      }),
    );
    for (const it of r.Items ?? []) out.push(view(it));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The named passengers of this user, in the order asked; 404 passenger_not_found if any is not theirs. */
export async function getPassengers(db: Db, userId: string, ids: string[]): Promise<PassengerRecord[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  if (unique.length > 100) throw badRequest('too_many_passengers', 'Too many passengers.');
  const found = new Map<string, PassengerRecord>();
  let keys = unique.map((id) => passengerKeys.passenger(userId, id));
  for (let attempt = 0; keys.length && attempt < 5; attempt++) {
    const r = await db.doc.send(
      new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: keys, ConsistentRead: true } } }),
    );
    for (const it of r.Responses?.[db.tableName] ?? []) found.set(it.id, record(it));
    keys = (r.UnprocessedKeys?.[db.tableName]?.Keys as any[]) ?? [];
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw notFound('passenger_not_found', 'No such passenger in your account.');
  return ids.map((id) => found.get(id)!);
}

/** Removes a passenger (404 passenger_not_found if not this user's). */
export async function deletePassenger(db: Db, userId: string, id: string): Promise<void> {
  const r = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: passengerKeys.passenger(userId, id), ConsistentRead: true }));
  if (!r.Item) throw notFound('passenger_not_found', 'No such passenger in your account.');
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: db.tableName, Key: passengerKeys.passenger(userId, id), ConditionExpression: 'attribute_exists(PK)' } },
          { Delete: { TableName: db.tableName, Key: passengerKeys.guard(userId, r.Item.idHash) } },
        ],
      }),
    );
  } catch (e: any) {
    if (e?.name === 'TransactionCanceledException') throw notFound('passenger_not_found', 'No such passenger in your account.');
    throw e;
  }
}
