import type { Trip } from '../api/types'

/** Fare of one seat of `classCode` from `from` to `to`: the sum of the per-segment fares. */
export function legFare(trip: Trip, from: string, to: string, classCode: string): number | null {
  const i = trip.stops.findIndex((s) => s.stationId === from)
  const j = trip.stops.findIndex((s) => s.stationId === to)
  const c = trip.classes.find((x) => x.code === classCode)
  if (i < 0 || j <= i || !c) return null
  let sum = 0
  for (let k = i; k < j; k++) sum += c.fareFenPerSegment[k] ?? 0
  return sum
}

export interface LegParam {
  tripId: string
  from: string
  to: string
  classCode: string
}

export function parseLegs(param: string | undefined): LegParam[] {
  if (!param) return []
  return param
    .split('|')
    .map((s) => s.split('~'))
    .filter((p) => p.length === 4 && p.every(Boolean))
    .map(([tripId, from, to, classCode]) => ({ tripId, from, to, classCode }))
}

export function formatLegs(legs: LegParam[]): string {
  return legs.map((l) => `${l.tripId}~${l.from}~${l.to}~${l.classCode}`).join('|')
}
