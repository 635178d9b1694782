// The browser bundle: hydrates the item page the server rendered, with the same props.
import { hydrateRoot } from 'react-dom/client';
import { ItemPage } from './page.tsx';

// typed here: the project compiles without the DOM library
const page = (
  globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }
).document;
const state = page.getElementById('page-state');
const root = page.getElementById('app');
if (state?.textContent && root) hydrateRoot(root as never, <ItemPage {...JSON.parse(state.textContent)} />);
