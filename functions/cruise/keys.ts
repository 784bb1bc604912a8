/**
 * Cruise items and index keys (every access pattern is listed in docs/cruise.md).
 *
 *   VOYAGE#<id> / VOYAGE            the voyage (GSI1 by departure month, GSI3 by port + month; removed on cancel)
 *   VOYAGE#<id> / CABIN#<number>    one physical cabin: free | held | closed (GSI1 sparse "free cabins" index)
 *   VOYAGE#<id> / BALANCEDUE        balance-deadline marker for the jobs function (GSI1 by due instant)
 *   GUEST#<idHash> / CRUISE#NIGHT#<day>   a person is aboard that night (one booking per person per night)
 *   order items: GSI3 VOYAGE#<id>#ORDERS  a voyage's orders (set through createOrder's gsi3)
 */
export const cruiseKeys = {
  voyage: (voyageId: string) => ({ PK: `VOYAGE#${voyageId}`, SK: 'VOYAGE' }),
  cabin: (voyageId: string, number: string) => ({ PK: `VOYAGE#${voyageId}`, SK: `CABIN#${number}` }),
  cabinPrefix: 'CABIN#',
  balanceMarker: (voyageId: string) => ({ PK: `VOYAGE#${voyageId}`, SK: 'BALANCEDUE' }),
  guestNight: (idHash: string, day: string) => ({ PK: `GUEST#${idHash}`, SK: `CRUISE#NIGHT#${day}` }),

  /** GSI1: voyages departing in a month ('YYYY-MM'), sorted by departure day. */
  departMonthGsi: (month: string) => `CRUISE#DEPART#${month}`,
  /** GSI3: voyages departing from a port in a month. */
  portMonthGsi: (portCode: string, month: string) => `CRUISE#PORT#${portCode}#${month}`,
  voyageSortKey: (departDate: string, voyageId: string) => `${departDate}#${voyageId}`,
  /** GSI1: a voyage's free cabins, sorted by category, then size, then number. */
  freeCabinsGsi: (voyageId: string) => `CRUISE#FREE#${voyageId}`,
  freeCabinSortKey: (categoryCode: string, maxGuests: number, number: string) => `${categoryCode}#${maxGuests}#${number}`,
  /** GSI1: voyages whose balance deadline is due, by the deadline instant. */
  balanceDueGsi: 'CRUISE#BALDUE',
  /** GSI3 on order items: a voyage's orders. */
  voyageOrdersGsi: (voyageId: string) => `VOYAGE#${voyageId}#ORDERS`,
};
