// PLACEHOLDER (being written): chunked transfer-coding decoder. See assembly/abi.ts for the contract.
export function decodeChunked(ptr: usize, len: i32): i32 {
  return 0;
}
