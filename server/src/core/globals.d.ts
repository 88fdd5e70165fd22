// The core runs in Node, the browser (webview) and the extension host. It may use only what all
// three provide: ECMAScript plus these two WHATWG encoding classes. Declared here because the core's
// tsconfig has no DOM or Node types on purpose (invariant 1: no I/O in the core).
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
