// Reconnection delays: exponential, capped, with jitter so that many dashboards cut off at
// the same moment (an API restart) do not all come back at the same moment.

export class Backoff {
  constructor({ baseMs = 500, maxMs = 15_000, random = Math.random } = {}) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
    this.random = random;
    this.attempt = 0;
  }

  // "Equal jitter": half the exponential delay, plus a random part of the other half.
  next() {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  reset() {
    this.attempt = 0;
  }
}
