/**
 * The layering of docs/ARCHITECTURE.md as import rules, checked by `npm test`
 * (test/arch/layers.test.ts). Protocol rules are pure: they import no driver, no shell and no
 * sibling protocol; drivers (sim, later node) call them; shells (cli, report) sit on top.
 */
const CORE = "^src/(errors|types)\\.ts$|^src/(crypto|program|state|runtime|exec)/";
const SHELLS = "^src/(cli|report)/";
const DRIVERS = "^src/(sim|node)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles make layers meaningless and load order fragile.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "core-is-protocol-agnostic",
      severity: "error",
      comment: "crypto, program, state, runtime and exec know no chain, protocol, driver or shell.",
      from: { path: CORE },
      to: { path: "^src/(chain|protocols|sim|node|workloads|scenario|results|cli|report|registry|runner)" },
    },
    {
      name: "chain-is-pure",
      severity: "error",
      comment: "src/chain/ (configuration, validators, genesis, selection, finality) knows no protocol, driver or shell.",
      from: { path: "^src/chain/" },
      to: { path: "^src/(protocols|sim|node|workloads|scenario|results|cli|report|registry|runner)" },
    },
    {
      name: "protocols-are-pure",
      severity: "error",
      comment: "A protocol's spec imports no driver (sim, node), workload, results, report, CLI or registry.",
      from: { path: "^src/protocols/" },
      to: { path: "^src/(sim|node|workloads|scenario|results|cli|report|registry|runner)" },
    },
    {
      name: "no-sibling-protocol",
      severity: "error",
      comment: "src/protocols/<name>/ imports no other protocol; shared shard machinery lives in src/protocols/shards/.",
      from: { path: "^src/protocols/([^/]+)/" },
      to: { path: "^src/protocols/([^/]+)/", pathNot: ["^src/protocols/$1/", "^src/protocols/shards/"] },
    },
    {
      name: "shards-serve-protocols",
      severity: "error",
      comment: "The shared shard module knows no protocol that uses it.",
      from: { path: "^src/protocols/shards/" },
      to: { path: "^src/protocols/(?!shards/)[^/]+/" },
    },
    {
      name: "drivers-not-shells",
      severity: "error",
      comment: "Drivers (sim, node) and the library entry points know no CLI or report.",
      from: { path: `${DRIVERS}|^src/(workloads|scenario|results|chain|protocols)/` },
      to: { path: SHELLS },
    },
    {
      name: "report-reads-results-only",
      severity: "error",
      comment: "The report reads results files; it knows no protocol internals or driver.",
      from: { path: "^src/report/" },
      to: { path: "^src/(protocols|sim|node|chain|runtime|exec|state)/" },
    },
    {
      name: "protocol-tests-not-cli",
      severity: "error",
      comment: "Protocol tests exercise the spec and the drivers, not the CLI.",
      from: { path: "^test/(protocols|conformance|golden)/" },
      to: { path: "^src/cli/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|build|node_modules)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js", ".mjs"] },
  },
};
