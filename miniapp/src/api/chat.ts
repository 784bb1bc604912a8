import { api } from './authed'

/** Confirms the one-time code the Official Account sent for `绑定`, linking the chat to this account. */
export const bindOfficialAccount = (code: string, idempotencyKey: string) =>
  api<{ bound: true; boundAt: string }>('POST', '/v1/chat/bind', { body: { code }, idempotencyKey })
