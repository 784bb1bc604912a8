/**
 * Booking a cabin: one order (kind cruise) holding one specific cabin, and one
 * "aboard that night" item per guest per night, in a single transaction with the order.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/db/client';
import { newId } from '../../shared/domain/ids';
import { serviceDay } from '../../shared/domain/time';
import { ApiError, conflict, notFound, unprocessable } from '../../shared/http/errors';
import type { AuthUser } from '../../shared/http/auth';
import { logger } from '../../shared/http/logger';
import { createOrder } from '../../shared/orders/create';
import type { Order, TxItem } from '../../shared/orders/model';
import { getPassengers } from '../../shared/passengers/index';
import { cruiseKeys } from './keys';
import { cabinPrice, nightsAboard, paymentPlan } from './rules';
import { loadCabin, loadVoyage, type Category, type Voyage } from './voyages';

export interface BookingInput {
  voyageId: string;
  categoryCode: string;
  passengerIds: string[];
  cabinNumber?: string;
}

/** Attempts at another free cabin when the picked one was taken meanwhile (auto-pick only). */
const AUTO_PICK_ATTEMPTS = 10;
/** Candidates read per pick; a random one is tried so concurrent bookings spread out. */
const CANDIDATES_PER_READ = 40;

/** What the order keeps to release the cabin and quote refunds (never shown to clients). */
export interface CruiseRef {
  voyageId: string;
  cabinNumber: string;
  categoryCode: string;
  /** The cabin's own size (its free-index sort key). */
  cabinMaxGuests: number;
  departDate: string;
  nights: number;
  guestHashes: string[];
  penalties: { daysBefore: number; percent: number }[];
  plan: 'full' | 'deposit';
}

export function takeCabinAction(voyageId: string, cabinNumber: string, orderId: string, nowIso: string): TxItem {
  return {
    Update: {
      TableName: '',
      Key: cruiseKeys.cabin(voyageId, cabinNumber),
      UpdateExpression: 'SET #s = :held, orderId = :o, heldAt = :at REMOVE GSI1PK, GSI1SK',
      ConditionExpression: '#s = :free',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':held': 'held', ':o': orderId, ':at': nowIso, ':free': 'free' },
    },
  };
}

function nightActions(ref: Pick<CruiseRef, 'voyageId' | 'departDate' | 'nights' | 'guestHashes'>, orderId: string): TxItem[] {
  const out: TxItem[] = [];
  for (const h of ref.guestHashes) {
    for (const day of nightsAboard(ref.departDate, ref.nights)) {
      out.push({
        Put: {
          TableName: '',
          Item: { ...cruiseKeys.guestNight(h, day), type: 'CruiseGuestNight', voyageId: ref.voyageId, orderId, day },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      });
    }
  }
  return out;
}

async function pickCandidates(db: Db, voyageId: string, categoryCode: string, guests: number, exclude: Set<string>): Promise<{ number: string; deck: number; maxGuests: number }[]> {
  const r = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :p AND GSI1SK BETWEEN :a AND :b',
      ExpressionAttributeValues: {
        ':p': cruiseKeys.freeCabinsGsi(voyageId),
        ':a': `${categoryCode}#${guests}#`,
        ':b': `${categoryCode}#9#~`,
      },
      ProjectionExpression: '#n, deck, maxGuests',
      ExpressionAttributeNames: { '#n': 'number' },
      Limit: CANDIDATES_PER_READ + exclude.size,
    }),
  );
  return (r.Items ?? []).map((i) => ({ number: i.number as string, deck: i.deck as number, maxGuests: i.maxGuests as number })).filter((c) => !exclude.has(c.number));
}

function bookable(voyage: Voyage | undefined, now: Date): Voyage {
  if (!voyage) throw notFound('voyage_not_found', 'No such voyage.');
  if (voyage.status !== 'SCHEDULED') throw conflict('voyage_cancelled', 'This voyage was cancelled.');
  if (serviceDay(now) >= voyage.departDate) throw unprocessable('voyage_departed', 'This voyage is no longer open for booking.');
  return voyage;
}

export async function createBooking(db: Db, user: AuthUser, input: BookingInput, now: Date): Promise<Order> {
  const [found, guests] = await Promise.all([loadVoyage(db, input.voyageId), getPassengers(db, user.id, input.passengerIds)]);
  const voyage = bookable(found, now);
  const category: Category | undefined = voyage.categories.find((c) => c.code === input.categoryCode);
  if (!category) {
    throw unprocessable('unknown_category', `Voyage has no category ${input.categoryCode}.`, { errors: [{ field: '/body/categoryCode', message: 'not a category of this voyage' }] });
  }
  const byId = new Map(guests.map((g) => [g.id, g]));
  const party = input.passengerIds.map((id) => byId.get(id)!);
  if (party.some((g) => !g)) throw notFound('passenger_not_found', 'No such passenger.');
  if (voyage.international) {
    const missing = party.filter((g) => g.idType !== 'passport').map((g) => g.id);
    if (missing.length) throw unprocessable('passport_required', 'International voyages need a passport for every guest.', { extra: { passengerIds: missing } });
  }
  if (new Set(party.map((g) => g.idHash)).size !== party.length) {
    throw unprocessable('duplicate_guest', 'Two of these passengers are the same person.');
  }
  if (party.length > category.maxGuests) {
    throw unprocessable('party_too_large', `Cabins of category ${category.code} take at most ${category.maxGuests} guests.`, { extra: { maxGuests: category.maxGuests } });
  }
  const price = cabinPrice(category.pricesFen, party.length);
  if (!price) throw unprocessable('occupancy_not_priced', `Category ${category.code} has no price for ${party.length} guests.`);
  const plan = paymentPlan(price.totalFen, voyage.depositPercent, voyage.departDate, now);

  if (input.cabinNumber) {
    const cabin = await loadCabin(db, voyage.id, input.cabinNumber);
    if (!cabin) throw notFound('cabin_not_found', `No cabin ${input.cabinNumber} on this voyage.`);
    if (cabin.categoryCode !== category.code) throw unprocessable('cabin_category_mismatch', `Cabin ${cabin.number} is in category ${cabin.categoryCode}.`);
    if (cabin.maxGuests < party.length) throw unprocessable('cabin_too_small', `Cabin ${cabin.number} takes at most ${cabin.maxGuests} guests.`, { extra: { maxGuests: cabin.maxGuests } });
    if (cabin.status !== 'free') throw conflict('cabin_taken', `Cabin ${cabin.number} is not available.`, { extra: { cabinNumber: cabin.number } });
    return attempt(cabin.number, cabin.deck, cabin.maxGuests);
  }

  // Auto-pick: a random free cabin of the category that fits the party; another one when it was
  // taken meanwhile (the free-cabin index is eventually consistent, the transaction is not).
  const tried = new Set<string>();
  for (let i = 0; i < AUTO_PICK_ATTEMPTS; i++) {
    const candidates = await pickCandidates(db, voyage.id, category.code, party.length, tried);
    if (!candidates.length) {
      throw conflict('sold_out', `No free cabin of category ${category.code} for ${party.length} guests.`, { extra: { categoryCode: category.code } });
    }
    const pick = candidates[Math.floor(Math.random() * candidates.length)];
    try {
      return await attempt(pick.number, pick.deck, pick.maxGuests);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'cabin_taken') {
        tried.add(pick.number);
        continue;
      }
      throw e;
    }
  }
  // Still contended after every attempt: say so (retryable) rather than claim a sell-out.
  throw new ApiError(409, 'cabin_taken', 'Every cabin tried was taken meanwhile; retry.', { headers: { 'retry-after': '1' } });

  async function attempt(cabinNumber: string, deck: number, cabinMaxGuests: number): Promise<Order> {
    const orderId = newId('ord');
    const ref: CruiseRef = {
      voyageId: voyage.id,
      cabinNumber,
      categoryCode: category!.code,
      cabinMaxGuests,
      departDate: voyage.departDate,
      nights: voyage.nights,
      guestHashes: party.map((g) => g.idHash),
      penalties: voyage.penalties,
      plan: plan.plan,
    };
    const inventory = [takeCabinAction(voyage.id, cabinNumber, orderId, now.toISOString()), ...nightActions(ref, orderId)];
    const order = await createOrder(
      db,
      {
        id: orderId,
        kind: 'cruise',
        userId: user.id,
        title: `${voyage.name} · ${category!.name} ${cabinNumber}`,
        amountFen: price!.totalFen,
        items: [
          {
            voyageId: voyage.id,
            voyageName: voyage.name,
            shipName: voyage.shipName,
            departPort: voyage.departPort,
            departDate: voyage.departDate,
            returnDate: voyage.returnDate,
            cabinNumber,
            deck,
            categoryCode: category!.code,
            categoryName: category!.name,
            pricePerGuestFen: price!.perGuestFen,
            paymentPlan: plan.plan,
            guests: party.map((g) => ({ passengerId: g.id, name: g.name, idType: g.idType, idNumberMasked: g.idNumberMasked })),
          },
        ],
        ref: ref as unknown as Record<string, unknown>,
        charges: plan.charges,
        gsi3: { GSI3PK: cruiseKeys.voyageOrdersGsi(voyage.id), GSI3SK: `${now.toISOString()}#${orderId}` },
      },
      inventory,
      (idx) => {
        if (idx === 0) return conflict('cabin_taken', `Cabin ${cabinNumber} was taken meanwhile.`, { extra: { cabinNumber } });
        const guest = party[Math.floor((idx - 1) / voyage.nights)];
        return conflict('guest_on_overlapping_voyage', 'A guest is already booked on a voyage at sea on one of these nights.', { extra: { passengerId: guest?.id } });
      },
      now,
    );
    logger.info('cruise booking held', { orderId, voyageId: voyage.id, cabinNumber, plan: plan.plan });
    return order;
  }
}
