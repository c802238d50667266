import { notCleanable } from './segments.js';

/**
 * Entropy-coded bits (ITU T.81 F.1.2.3, F.2.2.5): most significant bit first, a 0xFF data byte followed by a
 * stuffed 0x00, restart markers between intervals.
 */

export class BitReader {
  private buffer = 0;
  private count = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly end: number,
  ) {}

  private fill(): void {
    while (this.count <= 24) {
      let byte = 0;
      if (this.pos < this.end) {
        byte = this.bytes[this.pos]!;
        if (byte === 0xff) {
          const next = this.bytes[this.pos + 1];
          // At a marker the data has ended: decoders read zeros from there on.
          if (next === 0) this.pos += 2;
          else byte = 0;
        } else this.pos++;
      }
      this.buffer = ((this.buffer << 8) | byte) >>> 0;
      this.count += 8;
    }
  }

  /** The next 16 bits without taking them. */
  peek16(): number {
    this.fill();
    return (this.buffer >>> (this.count - 16)) & 0xffff;
  }

  skip(n: number): void {
    this.count -= n;
    this.buffer &= this.count === 32 ? 0xffffffff : (1 << this.count) - 1;
  }

  bits(n: number): number {
    if (n === 0) return 0;
    this.fill();
    const value = (this.buffer >>> (this.count - n)) & ((1 << n) - 1);
    this.skip(n);
    return value;
  }

  /** Past the restart marker that ends an interval, dropping the interval's padding bits. */
  restart(): void {
    this.buffer = 0;
    this.count = 0;
    while (this.pos + 1 < this.end && !(this.bytes[this.pos] === 0xff && this.bytes[this.pos + 1] !== 0))
      this.pos++;
    const marker = this.bytes[this.pos + 1];
    if (marker === undefined || marker < 0xd0 || marker > 0xd7)
      throw notCleanable('a restart marker is missing');
    this.pos += 2;
  }
}

export class BitWriter {
  private out: Uint8Array;
  private length = 0;
  private buffer = 0;
  private count = 0;
  constructor(capacity: number) {
    this.out = new Uint8Array(Math.max(1024, capacity));
  }

  private byte(b: number): void {
    if (this.length + 2 > this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = b;
  }

  bits(value: number, n: number): void {
    if (n === 0) return;
    this.buffer = ((this.buffer << n) | (value & ((1 << n) - 1))) >>> 0;
    this.count += n;
    while (this.count >= 8) {
      const b = (this.buffer >>> (this.count - 8)) & 0xff;
      this.byte(b);
      if (b === 0xff) this.byte(0);
      this.count -= 8;
    }
    this.buffer &= (1 << this.count) - 1;
  }

  /** Pads the last byte with one bits (F.1.2.3), as before a marker. */
  align(): void {
    if (this.count > 0) this.bits(0xff, 8 - this.count);
  }

  /** Restart marker RSTn after an interval, n counting 0..7. */
  restart(n: number): void {
    this.align();
    this.byte(0xff);
    this.byte(0xd0 + (n & 7));
  }

  finish(): Uint8Array {
    this.align();
    return this.out.subarray(0, this.length);
  }
}
