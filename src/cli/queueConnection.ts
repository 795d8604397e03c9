/**
 * The Redis behind `--queue redis://HOST:PORT/N`: URL parsing, a reachability check that fails
 * fast with one clear line (BullMQ itself would retry forever), and the BullMQ connection options.
 */
import { XshardError } from "../errors.js";

/** The BullMQ queue every sweep puts its points on (one Redis database can serve many sweeps). */
export const QUEUE_NAME = "xshard-sweep";

export interface QueueTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** The URL without credentials, for messages. */
  readonly display: string;
}

const USAGE = "--queue must look like redis://HOST:PORT/N (N: database number)";

/** `redis://HOST:PORT/N` (also `rediss://` for TLS, `redis://:PASSWORD@HOST:PORT/N`); port 6379 and database 0 when left out. */
export function parseQueueUrl(text: unknown): QueueTarget {
  const s = String(text ?? "");
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new XshardError("BAD_QUEUE_URL", `${USAGE}, got '${s}'`, { url: s });
  }
  if ((url.protocol !== "redis:" && url.protocol !== "rediss:") || url.hostname === "" || url.search !== "" || url.hash !== "") {
    throw new XshardError("BAD_QUEUE_URL", `${USAGE}, got '${s}'`, { url: s });
  }
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,5}$/.test(path)) throw new XshardError("BAD_QUEUE_URL", `${USAGE}: '${path}' is not a database number`, { url: s });
  const port = url.port === "" ? 6379 : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const db = path === "" ? 0 : Number(path);
  return {
    host,
    port,
    db,
    ...(url.username !== "" ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== "" ? { password: decodeURIComponent(url.password) } : {}),
    tls: url.protocol === "rediss:",
    display: `${url.protocol}//${url.host}/${db}`,
  };
}

/** ioredis/BullMQ connection options (commands wait for reconnection instead of failing: BullMQ's advice for workers). */
export function toConnectionOptions(t: QueueTarget): Record<string, unknown> {
  return {
    host: t.host,
    port: t.port,
    db: t.db,
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** Connects once without retries and pings; an unreachable or refusing Redis becomes `QUEUE_UNREACHABLE`. */
export async function assertQueueReachable(t: QueueTarget, timeoutMs = 3000): Promise<void> {
  const { Redis } = await import("ioredis");
  const client = new Redis({
    ...toConnectionOptions(t),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let first: unknown;
  client.on("error", (e) => (first ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    // ioredis rejects with "Connection is closed."; the cause (ECONNREFUSED, ENOTFOUND, ETIMEDOUT) came as an event.
    const cause = (first ?? e) as { code?: string; message?: string };
    const reason = cause.code ?? cause.message ?? String(cause);
    throw new XshardError("QUEUE_UNREACHABLE", `cannot reach Redis at ${t.display}: ${reason}`, { url: t.display, reason });
  } finally {
    client.disconnect();
  }
}
