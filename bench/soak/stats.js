'use strict';
// What the clients saw, by scenario: exchanges verified, bytes verified, faults injected, bad
// inputs tried, and outcomes split into the expected (the server cut a slowloris, a reset client
// got nothing) and the unexpected (a byte wrong, a body short, a hang). The first few pieces of
// evidence of each unexpected kind are kept for the report.

const EVIDENCE_PER_KIND = 5;

class Stats {
  constructor() {
    this.scenarios = new Map();
    this.faults = {};
    this.badInputs = {};
    this.bytesVerified = 0;
    this.exchangesVerified = 0;
  }

  scenario(name) {
    let entry = this.scenarios.get(name);
    if (entry === undefined) {
      entry = { verified: 0, bytesVerified: 0, variants: {}, expected: {}, unexpected: {}, evidence: {}, ranges: {} };
      this.scenarios.set(name, entry);
    }
    return entry;
  }

  // A completed exchange whose every byte was checked; variant (optional) names which kind.
  verified(scenario, bytes, variant) {
    const entry = this.scenario(scenario);
    entry.verified++;
    if (variant !== undefined) entry.variants[variant] = (entry.variants[variant] || 0) + 1;
    entry.bytesVerified += bytes;
    this.exchangesVerified++;
    this.bytesVerified += bytes;
  }

  // Body bytes checked on an exchange that did not complete (a prefix read before a reset).
  bytesChecked(scenario, bytes) {
    this.scenario(scenario).bytesVerified += bytes;
    this.bytesVerified += bytes;
  }

  expected(scenario, kind) {
    const outcomes = this.scenario(scenario).expected;
    outcomes[kind] = (outcomes[kind] || 0) + 1;
  }

  unexpected(scenario, kind, evidence) {
    const entry = this.scenario(scenario);
    entry.unexpected[kind] = (entry.unexpected[kind] || 0) + 1;
    const list = entry.evidence[kind] || (entry.evidence[kind] = []);
    if (list.length < EVIDENCE_PER_KIND) list.push(evidence);
  }

  // A measure worth reporting (how long the server took to cut a slowloris, how big the
  // bursts were, …): its count, min and max.
  range(scenario, name, value) {
    const ranges = this.scenario(scenario).ranges;
    const r = ranges[name] || (ranges[name] = { count: 0, min: Infinity, max: -Infinity });
    r.count++;
    r.min = Math.min(r.min, Math.round(value));
    r.max = Math.max(r.max, Math.round(value));
  }

  fault(kind) {
    this.faults[kind] = (this.faults[kind] || 0) + 1;
  }

  badInput(name) {
    this.badInputs[name] = (this.badInputs[name] || 0) + 1;
  }

  get unexpectedCount() {
    let count = 0;
    for (const entry of this.scenarios.values()) for (const n of Object.values(entry.unexpected)) count += n;
    return count;
  }

  toJSON() {
    return {
      exchangesVerified: this.exchangesVerified,
      bytesVerified: this.bytesVerified,
      faults: this.faults,
      badInputs: this.badInputs,
      scenarios: Object.fromEntries(this.scenarios),
    };
  }
}

module.exports = { Stats };
