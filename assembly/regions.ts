// Static memory regions, reserved once at compile time. Initial memory equals maximum memory
// (asconfig.json), so these addresses and the host's views over them never move.
import {
  INPUT_SIZE, CHUNK_INPUT_SIZE, WS_WINDOW_SIZE, RESULT_SLOTS, CHUNK_SLOTS, WS_SLOTS,
} from './abi';

export const INPUT_PTR: usize = memory.data(INPUT_SIZE, 16);
export const RESULT_PTR: usize = memory.data(RESULT_SLOTS << 2, 16);
export const CHUNK_INPUT_PTR: usize = memory.data(CHUNK_INPUT_SIZE, 16);
export const CHUNK_TABLE_PTR: usize = memory.data(CHUNK_SLOTS << 2, 16);
export const WS_WINDOW_PTR: usize = memory.data(WS_WINDOW_SIZE, 16);
export const WS_TABLE_PTR: usize = memory.data(WS_SLOTS << 2, 16);
