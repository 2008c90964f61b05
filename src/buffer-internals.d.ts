// Buffer methods Node has had since v0.x (undici relies on them); @types/node omits them.
// They skip the argument checks of toString()/write() on the hot path.
declare module 'buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(s: string, offset: number): number;
    utf8Write(s: string, offset: number): number;
  }
}
export {};
