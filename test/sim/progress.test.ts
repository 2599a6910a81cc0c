/**
 * The simulator's progress reporting: the ETA estimator gives no estimate during the warm-up and afterwards never
 * moves by more than a factor of two from one estimate to the next (aged by the time between them), however the
 * replay's speed changes; the clock format.
 */
import { expect } from "chai";
import { EtaEstimator, clock } from "../../src/sim/progress";

describe("simulator progress", function () {
  it("gives no ETA before the first 10% of the work", function () {
    const e = new EtaEstimator();
    expect(e.estimate(9, 100, 9, 9)).to.equal(undefined);
    expect(e.estimate(10, 100, 10, 10)).to.equal(90);
  });

  it("never moves the ETA by more than 2x between readings when the replay suddenly slows down tenfold", function () {
    const e = new EtaEstimator();
    let elapsed = 0;
    let previous: number | undefined;
    for (let done = 1; done <= 100; done++) {
      const secondsPerStep = done < 50 ? 1 : 10; // the crash: steps become ten times slower half-way
      elapsed += secondsPerStep;
      const eta = e.estimate(done, 100, elapsed, elapsed);
      if (eta !== undefined && previous !== undefined && eta > 0) {
        const aged = Math.max(previous - secondsPerStep, 1);
        expect(eta / aged).to.be.at.most(2);
        expect(eta / aged).to.be.at.least(0.5);
      }
      if (eta !== undefined) previous = eta;
    }
    expect(e.estimate(100, 100, elapsed, elapsed)).to.equal(0);
  });

  it("formats seconds as m:ss and h:mm:ss", function () {
    expect(clock(0)).to.equal("0:00");
    expect(clock(65.4)).to.equal("1:05");
    expect(clock(3725)).to.equal("1:02:05");
  });
});
