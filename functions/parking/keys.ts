/**
 * Parking's items in the single table (see docs/parking.md, "Access patterns").
 *
 *   PK PSPOT#<spotId>  SK SPOT                      the spot (owner, place, price, windows, blackouts)
 *   PK PSPOT#<spotId>  SK DAY#<YYYY-MM-DD>          taken quarter-hour slots of that Shanghai day (string set)
 *   PK PSPOT#<spotId>  SK RES#<endUtcIso>#<orderId> one reservation (times, plate, check-in/out)
 *   GSI1 PGEO#<geohash5>  / <geohash9>#<spotId>     active spots by precision-5 cell (sparse: inactive spots leave it)
 *   GSI3 POWNER#<userId>  / <createdAt>#<spotId>    an owner's spots
 */
export const GEO_PRECISION = 5;

export const parkingKeys = {
  spot: (spotId: string) => ({ PK: `PSPOT#${spotId}`, SK: 'SPOT' }),
  day: (spotId: string, day: string) => ({ PK: `PSPOT#${spotId}`, SK: `DAY#${day}` }),
  reservation: (spotId: string, endIso: string, orderId: string) => ({ PK: `PSPOT#${spotId}`, SK: `RES#${endIso}#${orderId}` }),
  reservationPrefix: 'RES#',
  geoCell: (geohash5: string) => `PGEO#${geohash5}`,
  owner: (userId: string) => `POWNER#${userId}`,
};
