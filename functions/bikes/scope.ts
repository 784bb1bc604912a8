/** Who may act on which city / operator. */
import type { AuthUser } from '../../shared/http/auth';
import { forbidden } from '../../shared/http/errors';

/**
 * A regulator acts only on their own city (cities are public knowledge, so another city is
 * 403 city_out_of_scope, not 404). Admins act on every city.
 */
export function assertCityScope(user: AuthUser, cityId: string) {
  if (user.roles.includes('admin')) return;
  if (!user.cityId) throw forbidden('city_out_of_scope', 'Your account is not assigned to a city.');
  if (user.cityId !== cityId) throw forbidden('city_out_of_scope', 'You regulate another city.');
}

/** The bike operator's company from the token (403 without one). */
export function operatorOf(user: AuthUser): string {
  if (!user.operatorId) throw forbidden('operator_not_assigned', 'Your account is not assigned to a bike operator.');
  return user.operatorId;
}

/** A bike operator acts only for its own company. */
export function assertOperatorScope(user: AuthUser, operatorId: string) {
  if (operatorOf(user) !== operatorId) throw forbidden('operator_out_of_scope', 'You act for another operator.');
}
