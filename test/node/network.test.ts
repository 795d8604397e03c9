import { createLibp2pNetwork, MemoryHub } from "../../src/node/net/index.js";
import { describeNetworkSuite } from "./networkSuite.js";

let memoryIds = 0;
const hub = new MemoryHub();

describeNetworkSuite("memory", {
  create: async (opts) => hub.createNetwork(`m${memoryIds++}`, opts?.gossipLimits !== undefined ? { gossipLimits: opts.gossipLimits } : {}),
  link: async (a, b) => {
    await a.connect(b.getAddresses()[0]!);
  },
});

describeNetworkSuite("libp2p on 127.0.0.1", {
  create: async (opts) =>
    createLibp2pNetwork({ heartbeatMs: 100, requestTimeoutMs: 5_000, ...(opts?.gossipLimits !== undefined ? { gossipLimits: opts.gossipLimits } : {}) }),
  link: async (a, b) => {
    await a.connect(b.getAddresses()[0]!);
  },
});
