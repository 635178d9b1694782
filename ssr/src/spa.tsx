// The single-page app's bundle: the item page built in the browser from the same data the
// server's page is built from (one GraphQL query, or `?source=rest`'s four REST calls, both
// through this origin), rendered with the same component. The shell it runs in has no data.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { PageData } from './model.ts';
import { ErrorPage, ItemPage, LoadingPage } from './page.tsx';
import {
  graphqlPageBody,
  PageError,
  pageFromGraphQL,
  pageFromRest,
  pageHead,
  parsePageRequest,
  restPagePaths,
  type ApiAnswer,
  type PageRequest,
} from './page-data.ts';

// typed here: the project compiles without the DOM library
const browser = globalThis as unknown as {
  location: { pathname: string; search: string };
  document: {
    title: string;
    getElementById(id: string): unknown;
    querySelector(selector: string): { setAttribute(name: string, value: string): void } | null;
  };
  performance: { mark(name: string): void };
};

const SPA_PREFIX = '/spa/items/';

async function get(path: string, init?: { method: string; body: string }): Promise<ApiAnswer> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init?.method ?? 'GET',
      headers: init ? { 'content-type': 'application/json' } : {},
      body: init?.body ?? null,
    });
  } catch (error) {
    throw new PageError(503, `the shop's API is unavailable (${(error as Error).message})`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new PageError(503, `the shop's API answered ${response.status} with something that is not JSON`);
  }
  return { status: response.status, body };
}

/** The page's data over the protocol the address names. */
async function load(page: PageRequest, source: 'graphql' | 'rest'): Promise<PageData | null> {
  if (source === 'rest') return pageFromRest(await Promise.all(restPagePaths(page).map((path) => get(path))));
  return pageFromGraphQL(await get('/graphql', { method: 'POST', body: graphqlPageBody(page) }));
}

type State =
  | { kind: 'loading' }
  | { kind: 'page'; data: PageData; page: PageRequest }
  | { kind: 'error'; status: number; message: string };

function App({ id, query, source }: { id: string; query: URLSearchParams; source: 'graphql' | 'rest' }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    let page: PageRequest;
    try {
      page = parsePageRequest(id, { sort: query.get('sort'), after: query.get('after') });
    } catch (error) {
      setState({ kind: 'error', status: 400, message: (error as Error).message });
      return;
    }
    load(page, source).then(
      (data) =>
        setState(
          data
            ? { kind: 'page', data, page }
            : { kind: 'error', status: 404, message: `There is no item ${id} in the shop.` },
        ),
      (error: unknown) =>
        setState({
          kind: 'error',
          status: error instanceof PageError ? error.status : 503,
          message: (error as Error).message,
        }),
    );
  }, [id, query, source]);
  useEffect(() => {
    if (state.kind === 'page') {
      const head = pageHead(state.data);
      browser.document.title = head.title;
      browser.document.querySelector('meta[name="description"]')?.setAttribute('content', head.description);
      // the moment the item is on the screen: what the browser bench's "item visible" reads
      browser.performance.mark('item-visible');
    } else if (state.kind === 'error') {
      browser.document.title = `${state.status === 404 ? 'Not found' : state.status === 400 ? 'Bad request' : 'Unavailable'} | supergraph shop`;
    }
  }, [state]);
  if (state.kind === 'loading') return <LoadingPage />;
  if (state.kind === 'error') return <ErrorPage status={state.status} message={state.message} />;
  return <ItemPage data={state.data} sort={state.page.sort} source={source} rendering="spa" />;
}

const root = browser.document.getElementById('app');
if (root) {
  const query = new URLSearchParams(browser.location.search);
  const id = decodeURIComponent(browser.location.pathname.slice(SPA_PREFIX.length));
  createRoot(root as never).render(
    <App id={id} query={query} source={query.get('source') === 'rest' ? 'rest' : 'graphql'} />,
  );
}
