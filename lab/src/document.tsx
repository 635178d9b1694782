import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serializeState } from './html.tsx';
import type { LabState } from './protocol.ts';

const require = createRequire(import.meta.url);
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

const LAB_CSS = `
:root{color-scheme:light;--ink:#1d232b;--muted:#5b6470;--line:#d9dee4;--accent:#0b62c4;--bad:#fdecea;--good:#e6f4ea}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:#f6f7f9}
.lab{max-width:1400px;margin:0 auto;padding:16px 20px 48px}h1{font-size:26px;margin:4px 0}h2{font-size:18px;margin:0 0 10px}h3{font-size:14px;margin:10px 0 4px}
.lab-head p{margin:4px 0;color:var(--muted)}.lab-links{font-size:14px}.grid{display:grid;grid-template-columns:minmax(320px,420px) 1fr;gap:16px;margin-top:16px}
.grid>*{min-width:0}.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin-top:16px}.grid>.panel{margin-top:0}
fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 10px;padding:6px 10px}legend{font-weight:600;padding:0 4px}
label{display:block;margin:4px 0}label.inline{display:inline-block;margin-right:12px}.check{cursor:pointer}.row{display:flex;flex-wrap:wrap;gap:14px;align-items:center}
input[type=number]{width:5em}input,select,button{font:inherit}input,select{padding:3px 6px;border:1px solid #9aa4af;border-radius:4px}
button{background:var(--accent);color:#fff;border:0;border-radius:5px;padding:7px 14px;cursor:pointer}button:disabled{background:#9aa4af;cursor:not-allowed}
:focus-visible{outline:3px solid #f0a202;outline-offset:2px}.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin:0 6px 0 2px;vertical-align:middle}
.hint{color:var(--muted);font-size:13px}.warning{color:#a40000}.message{min-height:1.5em;margin-top:8px}.message.error{color:#a40000;font-weight:600}.message.info{color:#1b6b2f}
.progress-row{display:flex;align-items:center;gap:10px;margin:6px 0 10px}.progress{flex:1;height:18px;accent-color:var(--accent)}
.progress::-webkit-progress-value{background:repeating-linear-gradient(45deg,#0b62c4 0 12px,#3d86d8 12px 24px);background-size:34px 34px;animation:stripes 1s linear infinite}
@keyframes stripes{to{background-position:34px 0}}@media (prefers-reduced-motion:reduce){.progress::-webkit-progress-value{animation:none}}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
.results td{min-width:140px;font-size:13px}td.bad,td.saturated{background:var(--bad)}td.winner{background:var(--good);outline:2px solid #2f8f4e}
.badge{font-size:11px;text-transform:uppercase;color:#1b6b2f}.results td.failing{background:#eceff2;color:var(--muted)}
.status{display:block;font-size:12px;color:#a40000}.why{color:var(--muted);font-size:12px;margin-top:2px}
.thresholds{font-size:12px;margin-top:2px}.thresholds.fail{color:#a40000;font-weight:600}
.run-body{display:grid;grid-template-columns:minmax(280px,1fr) minmax(360px,1.3fr);gap:14px}.run-body>*{min-width:0}.verdict-rule{font-size:13px;margin:0 0 6px}
.errors ul{padding-left:18px;margin:4px 0}.errors li{font-size:13px;overflow-wrap:anywhere}pre.sample{max-height:90px;margin:2px 0 6px}
button.small{padding:2px 8px;font-size:13px}.label-form{display:flex;gap:4px;margin:0}.label-form input{font-size:13px}
.not-plotted{font-size:13px;color:#a40000}
.scroll{overflow:auto}.scroll.short{max-height:300px}.compact td,.compact th{padding:2px 8px}caption{text-align:left;font-weight:600;padding:4px 0}
.key{font-family:ui-monospace,monospace;font-size:12px;max-width:520px;overflow-wrap:anywhere}.chart{width:100%;margin:6px 0}
pre{background:#f3f5f7;border:1px solid var(--line);padding:8px;overflow:auto;max-height:320px;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
.exchange summary{cursor:pointer;overflow-wrap:anywhere}.preview{width:100%;height:360px;border:1px solid var(--line);background:#fff}
.browser-chart{margin:8px 0}.browser-chart svg{max-width:100%;height:auto}.browser-results td{font-size:13px;white-space:nowrap}
.timing{list-style:none;padding:0;margin:0}.timing li{display:grid;grid-template-columns:90px 1fr 80px;gap:8px;align-items:center;font-size:13px}.timing-bar{height:10px;background:var(--accent);border-radius:2px}
@media (max-width:1000px){.grid,.run-body{grid-template-columns:1fr}}
`;

/** The lab's HTML: a server-rendered frame, its initial state, and the bundle that mounts it. */
export function LabDocument({ state, script }: { state: LabState; script: string }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Load lab | supergraph-lab</title>
        <meta
          name="description"
          content="REST, GraphQL and SSR under load, side by side, with cache and batching switches."
        />
        <link rel="icon" href="data:," />
        <style dangerouslySetInnerHTML={{ __html: UPLOT_CSS + LAB_CSS }} />
      </head>
      <body>
        <div id="lab">
          <div className="lab">
            <h1>Load lab</h1>
            <p>Loading the lab… it needs JavaScript for its live charts.</p>
            <noscript>Without JavaScript, use the load tester instead: npm run loadtest -- --help</noscript>
          </div>
        </div>
        <script id="lab-state" type="application/json" dangerouslySetInnerHTML={{ __html: serializeState(state) }} />
        <script type="module" src={script} />
      </body>
    </html>
  );
}

/** The page `GET /lab` answers without the token: why, and how to get in. */
export function RefusedDocument({ reason }: { reason: string }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Load lab: token needed | supergraph-lab</title>
        <meta name="description" content="The load lab needs its token" />
        <link rel="icon" href="data:," />
        <style dangerouslySetInnerHTML={{ __html: LAB_CSS }} />
      </head>
      <body>
        <main className="lab">
          <h1>The load lab needs its token</h1>
          <p>{reason}</p>
          <p>
            Open the lab URL that <code>npm start</code> printed: <code>http://…/lab?token=…</code>. Started on its own,
            the lab logs that URL when <code>LAB_TOKEN</code> is unset; with <code>LAB_TOKEN</code> set, open{' '}
            <code>/lab?token=$LAB_TOKEN</code>. Scripts send <code>Authorization: Bearer $LAB_TOKEN</code>.
          </p>
        </main>
      </body>
    </html>
  );
}
