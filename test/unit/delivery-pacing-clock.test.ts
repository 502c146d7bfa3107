/**
 * The pieces of exact pacing that need no database: the database's clock seen from this
 * process (offset within the narrowest round trip, uncertainty growing with age, a stepped
 * clock taken at once), the attempt's lead, and the sliding-second count the tests use.
 */
import { expect } from 'chai';
import { AttemptLead, DatabaseClock, MAX_ATTEMPT_LEAD_MS, SLOT_TOLERANCE_MS } from '../../server/src/delivery/pacing.ts';
import { busiestSecond } from '../support/pacing.ts';

describe('delivery pacing: the database clock and the sliding second', () => {
  it('places the offset within the narrowest round trip and keeps it over wider ones', () => {
    const clock = new DatabaseClock();
    // Sent at 1000, answered at 1010, the database read 5005: offset 5005 − 1005 = 4000 ± 5.
    clock.sample(1000, 1010, 5005);
    expect(clock.uncertainty(1010)).to.equal(5);
    expect(clock.latest(6000, 1010)).to.equal(2005);
    // A wider sample (a stalled answer) does not replace it; the estimate's uncertainty grows
    // with its age (500 ppm of the 390 ms since: ± 5.0975).
    clock.sample(1100, 1400, 5200);
    expect(clock.uncertainty(1400)).to.be.closeTo(5.0975, 1e-9);
    expect(clock.latest(6000, 1400)).to.be.closeTo(2005.0975, 1e-9);
    // A narrower one does.
    clock.sample(2000, 2002, 6001);
    expect(clock.uncertainty(2002)).to.equal(1);
  });

  it('takes a contradicting sample at once (a stepped clock)', () => {
    const clock = new DatabaseClock();
    clock.sample(1000, 1002, 5001);
    clock.sample(2000, 2010, 7005); // offset 5000, far outside 4000 ± 1
    expect(clock.latest(7000, 2010)).to.equal(2005);
  });

  it('counts a send as missed only beyond the tolerance, with the uncertainty against it', () => {
    const clock = new DatabaseClock();
    clock.sample(0, 2, 1); // offset 0 ± 1
    expect(clock.lateness(100, 100 + SLOT_TOLERANCE_MS - 2)).to.be.below(SLOT_TOLERANCE_MS);
    expect(clock.lateness(100, 100 + SLOT_TOLERANCE_MS)).to.be.above(SLOT_TOLERANCE_MS);
  });

  it('raises the attempt lead at once, lowers it slowly, caps it', () => {
    const lead = new AttemptLead();
    lead.observe(20);
    expect(lead.ms).to.equal(20);
    lead.observe(0);
    expect(lead.ms).to.equal(19);
    lead.observe(10_000);
    expect(lead.ms).to.equal(MAX_ATTEMPT_LEAD_MS);
  });

  it('counts the busiest sliding second, not calendar seconds', () => {
    // 3 sends at the end of one calendar second and 3 at the start of the next: 6 within 100 ms.
    expect(busiestSecond([900, 950, 990, 1010, 1050, 1090])).to.equal(6);
    expect(busiestSecond([0, 1000, 2000])).to.equal(1);
    expect(busiestSecond([0, 999, 1998])).to.equal(2);
    expect(busiestSecond([])).to.equal(0);
  });
});
