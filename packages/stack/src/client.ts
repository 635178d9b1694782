/** Small HTTP helpers for tests and tools that talk to a running stack. */

export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** POSTs a GraphQL operation and returns the status with the parsed body. */
export async function graphql<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const result = { status: response.status, ...((await response.json()) as object) };
  // not enumerable: results compare (deepEqual) by status, data and errors, as before headers were kept
  return Object.defineProperty(result, 'headers', { value: response.headers, enumerable: false }) as GraphQLResult<T>;
}

export interface RestResult {
  status: number;
  headers: Headers;
  body: any;
}

/** Sends a REST request with a JSON body (unless `raw` is given) and parses a JSON answer. */
export async function rest(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  options: { headers?: Record<string, string>; raw?: string | Buffer } = {},
): Promise<RestResult> {
  const hasBody = body !== undefined || options.raw !== undefined;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(hasBody && options.raw === undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(hasBody ? { body: options.raw ?? JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    body: text && /json/.test(type) ? JSON.parse(text) : text,
  };
}
