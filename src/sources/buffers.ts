/** The buffer helpers, where the trail worker imports them from (they live in ../buffers.ts, which aws/ uses too). */
export { ownBuffer, releaseBuffer } from "../buffers.ts";
