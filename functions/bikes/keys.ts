/**
 * Keys of the bikes domain (single table). GSI2 belongs to orders (holds); bikes use
 * GSI1 and GSI3 with their own prefixes (docs/bikes.md lists every access pattern).
 */
export const bikeKeys = {
  /** An operator admitted to a city: fleet cap + registered counter (the quota). */
  quota: (cityId: string, operatorId: string) => ({ PK: `BCITY#${cityId}`, SK: `QUOTA#${operatorId}` }),
  quotaPrefix: 'QUOTA#',
  /** The operator's pricing plan in a city. */
  pricing: (cityId: string, operatorId: string) => ({ PK: `BCITY#${cityId}`, SK: `PRICING#${operatorId}` }),
  /** A parking / no-parking zone of a city. */
  zone: (cityId: string, zoneId: string) => ({ PK: `BCITY#${cityId}`, SK: `ZONE#${zoneId}` }),
  zonePrefix: 'ZONE#',
  cityPk: (cityId: string) => `BCITY#${cityId}`,
  /** A bike, keyed by its national code: the item is also the code-uniqueness guard. */
  bike: (code: string) => ({ PK: `BIKE#${code}`, SK: 'BIKE' }),
  /** GSI1 (sparse): parked, rentable bikes of an operator in a city (vehicle_status, fence check). */
  availableGsi: (cityId: string, operatorId: string) => `BAVAIL#${cityId}#${operatorId}`,
  /** GSI3 (sparse): bikes on a ride, per operator and city (stats "in use"). */
  inUseGsi: (cityId: string, operatorId: string) => `BINUSE#${cityId}#${operatorId}`,
  /** A real-name rider (one per user); carries the open ride and unpaid order pointers. */
  rider: (userId: string) => ({ PK: `BRIDER#${userId}`, SK: 'RIDER' }),
  /** Uniqueness guard: one rider per ID number (blind index). */
  riderIdNumber: (blind: string) => ({ PK: `BRIDERID#${blind}`, SK: 'RIDERID' }),
  ride: (rideId: string) => ({ PK: `BRIDE#${rideId}`, SK: 'RIDE' }),
  /** GSI1: a rider's rides, newest first. */
  userRidesGsi: (userId: string) => `BUSER#${userId}#RIDES`,
  /** GSI3: rides started on a Shanghai service day, per city and operator (stats "rides today"). */
  ridesDayGsi: (cityId: string, operatorId: string, day: string) => `BRIDEDAY#${cityId}#${operatorId}#${day}`,
};
