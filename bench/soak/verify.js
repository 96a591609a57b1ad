'use strict';
// How a client decides an exchange went wrong: a SoakError names the kind (the report counts
// errors by kind) and carries the evidence; a BodyCheck compares a body with the bytes that were
// due, as they arrive, and says where the first wrong byte is.

class SoakError extends Error {
  constructor(kind, detail) {
    super(`${kind}: ${detail}`);
    this.kind = kind;
    this.detail = detail;
  }
}

function hexAround(buffer, offset) {
  return buffer.subarray(offset, offset + 12).toString('hex');
}

class BodyCheck {
  // label names the body in evidence ("GET /bytes/65536?seed=7").
  constructor(expected, label) {
    this.expected = expected;
    this.label = label;
    this.offset = 0;
  }

  take(chunk) {
    const expected = this.expected;
    const end = this.offset + chunk.length;
    if (end > expected.length) {
      throw new SoakError('overlong', `${this.label}: ${end} bytes where ${expected.length} were due`);
    }
    if (expected.compare(chunk, 0, chunk.length, this.offset, end) !== 0) {
      let i = 0;
      while (chunk[i] === expected[this.offset + i]) i++;
      const at = this.offset + i;
      throw new SoakError(
        'mismatch',
        `${this.label}: byte ${at} of ${expected.length} differs (due ${hexAround(expected, at)}, got ${hexAround(chunk, i)})`,
      );
    }
    this.offset = end;
  }

  // The body ended: all of it must have come.
  finish() {
    if (this.offset !== this.expected.length) {
      throw new SoakError('truncated', `${this.label}: body ended after ${this.offset} of ${this.expected.length} bytes`);
    }
  }
}

module.exports = { SoakError, BodyCheck };
