// PLACEHOLDER (being written): WebSocket frame decoding, mask/unmask, UTF-8 validation.
export function wsPlaceholder(): i32 {
  return 0;
}
