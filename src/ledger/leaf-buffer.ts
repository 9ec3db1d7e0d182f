/**
 * The leaves of one commit batch as UTF-8 bytes, each written after a 0x00 byte, so that the RFC 6962 leaf
 * hash, SHA-256(0x00 ‖ leaf), is taken in place, and the whole buffer goes to the writer thread as it is
 * (transferred, not copied). Encoding each leaf once here replaces hashing a string (which Node encodes
 * to UTF-8 internally), cloning the strings to the writer and encoding them again there.
 */
import { Buffer } from 'node:buffer';
import { leafHashOfPrefixedWithBase64 } from '../tlog/index.js';

export class LeafBuffer {
  #bytes: Buffer;
  #used = 0;
  readonly #offsets: number[] = [0];

  /** `estimate`: expected bytes in all; the buffer grows when it is short. */
  constructor(estimate: number) {
    this.#bytes = Buffer.allocUnsafeSlow(Math.max(1024, estimate));
  }

  /**
   * Appends a leaf given as well-formed text (canonical JSON always is) and returns its leaf hash. Text
   * equals bytes here: a well-formed string has exactly one UTF-8 encoding.
   */
  add(text: string): { hash: Uint8Array; base64: string } {
    // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
    const room = 1 + 3 * text.length;
    if (this.#used + room > this.#bytes.length) this.#grow(this.#used + room);
    const start = this.#used;
    this.#bytes[start] = 0x00;
    const written = this.#bytes.write(text, start + 1, 'utf8');
    this.#used = start + 1 + written;
    this.#offsets.push(this.#used);
    return leafHashOfPrefixedWithBase64(this.#bytes.subarray(start, this.#used));
  }

  /**
   * The buffer to transfer (whole: bytes past the last offset are unused) and the offsets: leaf i is
   * bytes[offsets[i] + 1 .. offsets[i + 1]). The LeafBuffer must not be used afterwards.
   */
  finish(): { leaves: ArrayBuffer; leafOffsets: Uint32Array } {
    // allocUnsafeSlow gives the Buffer an ArrayBuffer of its own, starting at byte 0.
    return { leaves: this.#bytes.buffer as ArrayBuffer, leafOffsets: Uint32Array.from(this.#offsets) };
  }

  #grow(atLeast: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(atLeast, 2 * this.#bytes.length));
    this.#bytes.copy(bigger, 0, 0, this.#used);
    this.#bytes = bigger;
  }
}
