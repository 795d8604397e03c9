/** hotel — a fixed number of rooms; see lib/booking.ts. */
export { init, reserve, cancel, available, holder } from "./lib/booking";
