import { setFlagsFromString } from 'node:v8';

/*
 * Imported first by cli.ts, so it runs before any of our code is optimised. A CLI run is short (a
 * vmlinux C dump is done in ~150 ms of JS): most of it runs before TurboFan has finished compiling the
 * hot functions, on a background thread that competes with the main one on a busy machine. Without
 * inlining, TurboFan compiles those functions about 3× faster (its compile time in a vmlinux C dump:
 * ~600 ms of thread time -> ~200), so the optimised code arrives sooner; the peak speed lost (small
 * helper calls stay calls) is smaller than that. Measured on `dump --format c` of vmlinux 6.18, 15
 * interleaved runs, medians: user+sys 370 -> 280 ms, wall 241 -> 207 ms; raw dump 220 -> 190 ms CPU.
 * The language server (long-running) does not do this.
 */
try {
  setFlagsFromString('--no-turbo-inlining');
} catch {
  // A Node that refuses flags at run time just runs as it would have.
}
