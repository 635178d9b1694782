// Pages as HTML: a React tree streamed as a complete document (its shell first), the error
// pages, and the single-page app's static shell.
import { PassThrough, Transform } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { ReactNode } from 'react';
import { renderToPipeableStream, renderToStaticMarkup } from 'react-dom/server';
import { Document, ErrorPage, LoadingPage } from './page.tsx';
import { STYLES } from './styles.ts';

/**
 * Streams a React tree as a complete HTML document with `status`; `onHtml` gets the whole
 * document once it has streamed (for the page cache).
 */
export function stream(
  reply: FastifyReply,
  status: number,
  tree: ReactNode,
  onHtml?: (html: string) => void,
): Promise<FastifyReply> {
  const timing = reply.request.timing;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // records what passes on its way to the client, without taking it from the reply
    const body = onHtml
      ? new Transform({
          transform(chunk: Buffer, _encoding, done) {
            chunks.push(chunk);
            done(null, chunk);
          },
          flush(done) {
            onHtml(Buffer.concat(chunks).toString('utf8'));
            done();
          },
        })
      : new PassThrough();
    const { pipe } = renderToPipeableStream(tree, {
      onShellReady() {
        timing?.add('render', performance.now() - started);
        reply.code(status).type('text/html; charset=utf-8');
        pipe(body);
        resolve(reply.send(body));
      },
      onShellError(error) {
        reject(error);
      },
    });
  });
}

/** An error page with `status` (503 also says when to retry). */
export function errorPage(reply: FastifyReply, status: number, message: string): Promise<FastifyReply> {
  if (status === 503) reply.header('retry-after', '5');
  return stream(
    reply,
    status,
    <Document
      title={`${status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Unavailable'} | supergraph shop`}
      description={message}
      styles={STYLES}
    >
      <ErrorPage status={status} message={message} />
    </Document>,
  );
}

/**
 * The single-page app's shell: the same document and styles as a server-rendered page, a
 * loading frame, and the bundle; no data, so one string serves every item.
 */
export function spaShell(bundlePath: string): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(
    <Document title="supergraph shop" description="An item of the supergraph shop" styles={STYLES}>
      <div id="app">
        <LoadingPage />
      </div>
      <script type="module" src={bundlePath} />
    </Document>,
  )}`;
}
