// The one place that knows how llhttp runs: the WebAssembly build undici ships
// (llhttp 9.x, SIMD when the CPU has it). See docs/design.md for why wasm and not
// Node's internal HTTPParser.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** What the connection implements; llhttp calls it through module-level callbacks. */
export interface ParserTarget {
  onMessageBegin(): number;
  onUrl(off: number, len: number): number;
  onHeaderField(off: number, len: number): number;
  onHeaderValue(off: number, len: number): number;
  onHeadersComplete(upgrade: boolean, keepAlive: boolean): number;
  onBody(off: number, len: number): number;
  onMessageComplete(): number;
}

interface LlhttpExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(ptr: number): void;
  llhttp_alloc(type: number): number;
  llhttp_free(ptr: number): void;
  llhttp_execute(ptr: number, data: number, len: number): number;
  llhttp_finish(ptr: number): number;
  llhttp_resume(ptr: number): void;
  llhttp_resume_after_upgrade(ptr: number): void;
  llhttp_get_error_pos(ptr: number): number;
  llhttp_get_error_reason(ptr: number): number;
  llhttp_get_method(ptr: number): number;
  llhttp_get_http_major(ptr: number): number;
  llhttp_get_http_minor(ptr: number): number;
}

export const ERROR = {
  OK: 0,
  INVALID_METHOD: 6,
  INVALID_URL: 7,
  INVALID_VERSION: 9,
  INVALID_HEADER_TOKEN: 10,
  INVALID_CONTENT_LENGTH: 11,
  UNEXPECTED_CONTENT_LENGTH: 4,
  INVALID_TRANSFER_ENCODING: 15,
  PAUSED: 21,
  PAUSED_UPGRADE: 22,
  USER: 24,
} as const;

const TYPE_REQUEST = 1;

/** Method names by llhttp's numeric id (llhttp's METHODS table), interned once. */
export const METHOD_NAMES: readonly string[] = (() => {
  const { METHODS } = require('undici/lib/llhttp/constants.js') as { METHODS: Record<string, number> };
  const names: string[] = [];
  for (const [name, id] of Object.entries(METHODS)) names[id] = name;
  return names;
})();

/** Bytes copied into wasm memory per llhttp_execute call; larger reads are fed in slices. */
export const INPUT_SIZE = 64 * 1024;

let target: ParserTarget = null as unknown as ParserTarget;
/** Wasm address of the input region and the chunk offset it currently holds. */
let inputPtr = 0;
let sliceBase = 0;

// One set of callbacks per process; each reads the module-level `target`, set around
// every execute, so no closure exists per connection or request (undici does the same).
const imports = {
  env: {
    wasm_on_message_begin: (_p: number) => target.onMessageBegin(),
    wasm_on_url: (_p: number, at: number, len: number) => target.onUrl(at - inputPtr + sliceBase, len),
    wasm_on_status: () => 0,
    wasm_on_header_field: (_p: number, at: number, len: number) => target.onHeaderField(at - inputPtr + sliceBase, len),
    wasm_on_header_value: (_p: number, at: number, len: number) => target.onHeaderValue(at - inputPtr + sliceBase, len),
    wasm_on_headers_complete: (_p: number, _status: number, upgrade: number, keepAlive: number) => target.onHeadersComplete(upgrade === 1, keepAlive === 1),
    wasm_on_body: (_p: number, at: number, len: number) => target.onBody(at - inputPtr + sliceBase, len),
    wasm_on_message_complete: (_p: number) => target.onMessageComplete(),
  },
};

function instantiate(): LlhttpExports {
  let mod: WebAssembly.Module;
  try {
    mod = new WebAssembly.Module(require('undici/lib/llhttp/llhttp_simd-wasm.js') as Uint8Array<ArrayBuffer>);
  } catch {
    // No wasm SIMD on this CPU/runtime: the portable build parses the same grammar.
    mod = new WebAssembly.Module(require('undici/lib/llhttp/llhttp-wasm.js') as Uint8Array<ArrayBuffer>);
  }
  const inst = new WebAssembly.Instance(mod, imports as unknown as WebAssembly.Imports);
  return inst.exports as unknown as LlhttpExports;
}

const ll = instantiate();
inputPtr = ll.malloc(INPUT_SIZE);
// A view over wasm memory; memory.grow (malloc of new parsers) detaches it, which leaves
// it 0 bytes long, so it is refreshed then (checked without the memory.buffer getter,
// a call into C++ that cost ~1% of a keep-alive request).
let mem = new Uint8Array(ll.memory.buffer);

/** A new strict request parser (no lenient flags set). */
export function allocParser(): number {
  const p = ll.llhttp_alloc(TYPE_REQUEST);
  refreshView();
  return p;
}

/** Re-makes `mem` if a memory.grow detached it. */
function refreshView(): void {
  if (mem.byteLength === 0) mem = new Uint8Array(ll.memory.buffer);
}

export function freeParser(p: number): void {
  ll.llhttp_free(p);
}

/**
 * Parses `input` (at most INPUT_SIZE bytes), which starts at offset `base` of the chunk
 * the callbacks' offsets refer to, with `t` as the callback target. Returns llhttp's
 * errno; after a pause or an error, errorOffset() tells where in the chunk it stopped.
 */
export function execute(p: number, t: ParserTarget, input: Uint8Array, base: number): number {
  refreshView();
  mem.set(input, inputPtr);
  target = t;
  sliceBase = base;
  return ll.llhttp_execute(p, inputPtr, input.length);
}

/** Offset into the last executed chunk where llhttp stopped (after a pause or an error). */
export function errorOffset(p: number): number {
  return ll.llhttp_get_error_pos(p) - inputPtr + sliceBase;
}

/** Signals EOF; returns errno (non-zero when a message was cut short). */
export function finish(p: number, t: ParserTarget): number {
  target = t;
  return ll.llhttp_finish(p);
}

export function resume(p: number): void {
  ll.llhttp_resume(p);
}

export function method(p: number): string {
  return METHOD_NAMES[ll.llhttp_get_method(p)] ?? 'GET';
}

export function versionMajor(p: number): number {
  return ll.llhttp_get_http_major(p);
}

export function versionMinor(p: number): number {
  return ll.llhttp_get_http_minor(p);
}

/** llhttp's reason for the last error, for logs. */
export function errorReason(p: number): string {
  refreshView();
  const ptr = ll.llhttp_get_error_reason(p);
  if (ptr === 0) return '';
  let end = ptr;
  while (mem[end] !== 0 && end - ptr < 256) end++;
  return Buffer.from(mem.subarray(ptr, end)).toString('latin1');
}
