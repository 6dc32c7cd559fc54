// PLACEHOLDER (being written): request-head parser. See assembly/abi.ts for the contract.
export function parseHead(ptr: usize, len: i32, lastLen: i32): i32 {
  return 0;
}
