import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nowTime } from './time.js';

describe('nowTime', () => {
  it('is RFC 3339 to the second, now or offset, also when called in turns (the text is cached per second)', () => {
    for (let i = 0; i < 3; i++) {
      const before = Math.floor(Date.now() / 1000) * 1000;
      const now = nowTime();
      const later = nowTime(30);
      const after = Date.now();
      assert.match(now, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(Date.parse(now) >= before && Date.parse(now) <= after, now);
      assert.ok(Date.parse(later) >= before + 30_000 && Date.parse(later) <= after + 30_000, later);
      assert.equal(nowTime(-2.5), `${new Date(Math.floor((Date.now() - 2500) / 1000) * 1000).toISOString().slice(0, 19)}Z`);
    }
  });
});
