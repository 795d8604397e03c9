/** The top of a V8 CPU profile by self time (for the profiling scripts in bench/). */

/** Lines `  12.3 %  name  file:line`, the `n` largest self times (the profiler's own idle time left out). */
export function summarizeProfile(profile, n = 20) {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]);
    const cf = node.callFrame;
    if (cf.functionName === "(idle)") continue;
    const key = `${cf.functionName || "(anonymous)"}  ${cf.url.split("/").slice(-2).join("/")}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(6)} %  ${k}`);
}
