// The lab's browser bundle: mounts the lab on the state the server put in the page.
import { createRoot } from 'react-dom/client';
import { LabApp } from './app.tsx';

const state = document.getElementById('lab-state');
const root = document.getElementById('lab');
if (state?.textContent && root) createRoot(root).render(<LabApp initial={JSON.parse(state.textContent)} />);
