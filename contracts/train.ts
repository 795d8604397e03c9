/** train — a fixed number of seats; see lib/booking.ts. */
export { init, reserve, cancel, available, holder } from "./lib/booking";
