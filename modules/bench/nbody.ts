// Floating-point kernel: the n-body simulation of the Computer Language Benchmarks Game (Jovian planets).

const PI = 3.141592653589793;
const SOLAR_MASS = 4.0 * PI * PI;
const DAYS_PER_YEAR = 365.24;
const BODIES = 5;

// Per body: x, y, z, vx, vy, vz, mass.
const FIELDS = 7;
const bodies = new StaticArray<f64>(BODIES * FIELDS);

function setBody(i: i32, x: f64, y: f64, z: f64, vx: f64, vy: f64, vz: f64, mass: f64): void {
  const o = i * FIELDS;
  unchecked((bodies[o] = x)); unchecked((bodies[o + 1] = y)); unchecked((bodies[o + 2] = z));
  unchecked((bodies[o + 3] = vx * DAYS_PER_YEAR)); unchecked((bodies[o + 4] = vy * DAYS_PER_YEAR));
  unchecked((bodies[o + 5] = vz * DAYS_PER_YEAR)); unchecked((bodies[o + 6] = mass * SOLAR_MASS));
}

function init(): void {
  setBody(0, 0, 0, 0, 0, 0, 0, 1);
  setBody(1, 4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
    1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05, 9.54791938424326609e-04);
  setBody(2, 8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
    -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05, 2.85885980666130812e-04);
  setBody(3, 1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
    2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05, 4.36624404335156298e-05);
  setBody(4, 1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
    2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05, 5.15138902046611451e-05);
  let px = 0.0, py = 0.0, pz = 0.0;
  for (let i = 0; i < BODIES; i++) {
    const o = i * FIELDS, m = unchecked(bodies[o + 6]);
    px += unchecked(bodies[o + 3]) * m; py += unchecked(bodies[o + 4]) * m; pz += unchecked(bodies[o + 5]) * m;
  }
  unchecked((bodies[3] = -px / SOLAR_MASS)); unchecked((bodies[4] = -py / SOLAR_MASS)); unchecked((bodies[5] = -pz / SOLAR_MASS));
}

function advance(dt: f64): void {
  for (let i = 0; i < BODIES; i++) {
    const oi = i * FIELDS;
    const xi = unchecked(bodies[oi]), yi = unchecked(bodies[oi + 1]), zi = unchecked(bodies[oi + 2]);
    let vxi = unchecked(bodies[oi + 3]), vyi = unchecked(bodies[oi + 4]), vzi = unchecked(bodies[oi + 5]);
    const mi = unchecked(bodies[oi + 6]);
    for (let j = i + 1; j < BODIES; j++) {
      const oj = j * FIELDS;
      const dx = xi - unchecked(bodies[oj]), dy = yi - unchecked(bodies[oj + 1]), dz = zi - unchecked(bodies[oj + 2]);
      const d2 = dx * dx + dy * dy + dz * dz;
      const mag = dt / (d2 * Math.sqrt(d2));
      const mj = unchecked(bodies[oj + 6]);
      vxi -= dx * mj * mag; vyi -= dy * mj * mag; vzi -= dz * mj * mag;
      unchecked((bodies[oj + 3] += dx * mi * mag));
      unchecked((bodies[oj + 4] += dy * mi * mag));
      unchecked((bodies[oj + 5] += dz * mi * mag));
    }
    unchecked((bodies[oi + 3] = vxi)); unchecked((bodies[oi + 4] = vyi)); unchecked((bodies[oi + 5] = vzi));
  }
  for (let i = 0; i < BODIES; i++) {
    const o = i * FIELDS;
    unchecked((bodies[o] += dt * unchecked(bodies[o + 3])));
    unchecked((bodies[o + 1] += dt * unchecked(bodies[o + 4])));
    unchecked((bodies[o + 2] += dt * unchecked(bodies[o + 5])));
  }
}

function energy(): f64 {
  let e = 0.0;
  for (let i = 0; i < BODIES; i++) {
    const oi = i * FIELDS;
    const vx = unchecked(bodies[oi + 3]), vy = unchecked(bodies[oi + 4]), vz = unchecked(bodies[oi + 5]);
    const mi = unchecked(bodies[oi + 6]);
    e += 0.5 * mi * (vx * vx + vy * vy + vz * vz);
    for (let j = i + 1; j < BODIES; j++) {
      const oj = j * FIELDS;
      const dx = unchecked(bodies[oi]) - unchecked(bodies[oj]);
      const dy = unchecked(bodies[oi + 1]) - unchecked(bodies[oj + 1]);
      const dz = unchecked(bodies[oi + 2]) - unchecked(bodies[oj + 2]);
      e -= (mi * unchecked(bodies[oj + 6])) / Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

/** Advances the system `n` steps of 0.01 from the standard initial state; returns the final energy. */
export function run(n: i32): f64 {
  init();
  for (let i = 0; i < n; i++) advance(0.01);
  return energy();
}
