'use strict';
// The clients' choices (sizes, offsets, which variant next). Not seeded: each run covers a
// different sample, and every choice that matters is named in the evidence of a failure.

function between(low, high) {
  return low + Math.floor(Math.random() * (high - low + 1));
}

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

// A body split into pieces of random sizes (up to maxPiece), as a client's writes would be.
function split(buffer, maxPiece) {
  const pieces = [];
  for (let offset = 0; offset < buffer.length; ) {
    const size = between(1, maxPiece);
    pieces.push(buffer.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}

module.exports = { between, pick, split };
