/**
 * Typings for the parts of binaryen.js (v132) that its bundled index.d.ts leaves out: the expression
 * and function classes used to edit IR in place, data segments, and reading with a feature set.
 */
import binaryen from "binaryen";

type Ref = binaryen.ExpressionRef;

interface ExpressionClasses {
  Function: { getBody(f: binaryen.FunctionRef): Ref; setBody(f: binaryen.FunctionRef, body: Ref): void };
  Block: { getName(e: Ref): string | null; insertChildAt(e: Ref, index: number, child: Ref): void };
  Loop: { setBody(e: Ref, body: Ref): void };
  If: { setIfTrue(e: Ref, arm: Ref): void; setIfFalse(e: Ref, arm: Ref): void };
  MemoryGrow: { setDelta(e: Ref, delta: Ref): void };
  MemoryCopy: { setSize(e: Ref, size: Ref): void };
  MemoryFill: { setSize(e: Ref, size: Ref): void };
  readBinary(data: Uint8Array, features: binaryen.Features): binaryen.Module;
}

/** binaryen with the classes its typings omit. */
export const ir = binaryen as unknown as ExpressionClasses;

export interface DataSegmentInfo {
  readonly offset: number | null;
  readonly data: ArrayBuffer;
  readonly passive: boolean;
}

interface DataSegmentApi {
  getNumDataSegments(): number;
  getDataSegmentByIndex(index: number): number;
  getDataSegmentInfo(segment: number): DataSegmentInfo;
}

/** The data segments of a module, in order. */
export function getDataSegments(m: binaryen.Module): DataSegmentInfo[] {
  const api = m as unknown as DataSegmentApi;
  return Array.from({ length: api.getNumDataSegments() }, (_, i) => api.getDataSegmentInfo(api.getDataSegmentByIndex(i)));
}
