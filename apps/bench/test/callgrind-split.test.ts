import { describe, expect, it } from 'vitest';
import { splitInstructions } from '../src/callgrind-split.js';

const ANNOTATED = `--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
1,000,000 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                   file:function
--------------------------------------------------------------------------------
  900,000 (90.00%)  ???:node::SpinEventLoopInternal(node::Environment*) [/usr/bin/node]
  200,000 (20.00%)  ???:v8::internal::Runtime_CompileOptimized(int, unsigned long*, v8::internal::Isolate*) [/usr/bin/node]
  100,000 (10.00%)  ???:v8::internal::IncrementalMarking::Step(double, v8::internal::StepOrigin) [/usr/bin/node]
   50,000 ( 5.00%)  ???:v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags) [/usr/bin/node]
   10,000 ( 1.00%)  ???:v8::internal::MarkingBarrier::Write(v8::internal::HeapObject, v8::internal::FullHeapObjectSlot, v8::internal::HeapObject) [/usr/bin/node]
    9,000 ( 0.90%)  ???:v8::internal::IncrementalMarking::Observer::Step(int, unsigned long, unsigned long) [/usr/bin/node]
`;

describe('splitInstructions', () => {
  it('divides the window by its requests and takes the compiler and the collector out of the mutator', () => {
    expect(splitInstructions(ANNOTATED, 100)).toEqual({
      total: 10_000,
      compile: 2_000,
      gc: 1_600,
      mutator: 6_400,
    });
  });

  it('counts an entry point once: the observer that calls IncrementalMarking::Step is inside it', () => {
    expect(splitInstructions(ANNOTATED, 1).gc).toBe(160_000);
  });

  it('refuses what is not callgrind_annotate output, and a window of no requests', () => {
    expect(() => splitInstructions('nothing here', 10)).toThrow(/PROGRAM TOTALS/);
    expect(() => splitInstructions(ANNOTATED, 0)).toThrow(RangeError);
  });
});
