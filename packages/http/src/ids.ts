// What a record id looks like in a URL or a GraphQL ID: one rule for the services, the SSR pages
// and the SPA's bundle (no dependencies, so the browser can load it).

/** The largest id: Postgres's `integer`. */
export const MAX_ID = 2_147_483_647;

/** Whether `text` is a record id: a positive 32-bit integer without sign, zeros in front or spaces. */
export const isIdText = (text: string): boolean => /^[1-9]\d{0,9}$/.test(text) && Number(text) <= MAX_ID;
