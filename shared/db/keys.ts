/**
 * Key builders for the single table. Every item's keys are built here, so the access
 * patterns in docs/data-model.md have one place in code. Domain-specific builders live
 * next to their domain but follow the same `TYPE#id` shape.
 */
export const keys = {
  user: (userId: string) => ({ PK: `USER#${userId}`, SK: 'PROFILE' }),
  /** Uniqueness guard: one Yizhan user per WeChat openid. */
  openid: (openid: string) => ({ PK: `OPENID#${openid}`, SK: 'OPENID' }),
  health: () => ({ PK: 'SYSTEM', SK: 'HEALTH' }),
};
