/**
 * Problem `code` -> text shown to the user. Codes are the API's stable
 * machine-readable ones (shared/http/errors.ts); add new ones here as domains land.
 */
const MESSAGES: Record<string, string> = {
  // transport / generic
  network_error: '网络连接失败，请检查网络后重试',
  bad_request: '请求有误，请检查后重试',
  validation_failed: '填写的信息有误，请检查后重试',
  invalid_json: '请求格式有误',
  unauthorized: '请先登录',
  token_expired: '登录已过期，请重新登录',
  forbidden: '没有权限进行此操作',
  not_found: '内容不存在或已被删除',
  method_not_allowed: '不支持该操作',
  conflict: '操作冲突，请刷新后重试',
  unprocessable: '当前无法办理，请稍后重试',
  too_many_requests: '操作太频繁，请稍后再试',
  throttled: '操作太频繁，请稍后再试',
  payload_too_large: '提交的内容过大',
  unsupported_media_type: '不支持的内容格式',
  service_unavailable: '服务暂不可用，请稍后重试',
  internal: '系统繁忙，请稍后重试',
  unknown: '出了点问题，请稍后重试',
  // idempotency
  idempotency_key_reused: '重复提交的内容不一致，请刷新后重试',
  request_in_progress: '请求正在处理中，请稍候',
  // inventory and orders
  sold_out: '已售罄，请选择其他班次或座席',
  slot_taken: '该时段已被预订，请选择其他时段',
  hold_expired: '订单已超时，库存已释放，请重新下单',
  invalid_state: '订单状态已变化，请刷新后重试',
  already_paid: '订单已支付',
  payment_failed: '支付失败，请重试',
  // identity
  invalid_id_number: '证件号码有误，请核对',
  invalid_phone: '手机号码有误，请核对',
  invalid_plate: '车牌号码有误，请核对',
}

export function problemMessage(code: string | undefined | null): string {
  return (code && MESSAGES[code]) || MESSAGES.unknown
}
