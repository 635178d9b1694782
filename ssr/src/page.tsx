import { useState, type MouseEvent, type ReactNode } from 'react';
import { listingHref, type ListingData, type ListingRequest } from './listing-data.ts';
import { MORE_REVIEWS_QUERY, REVIEWS_PER_PAGE, SORTS, type PageData, type Sort } from './model.ts';

/** The generated data's image host; its images are served by this service as placeholders. */
const GENERATED_IMAGE_HOST = 'https://images.supergraph-shop.example/';

/** A photo URL the browser can load here: generated images map to the local placeholder route. */
export function imageSrc(url: string): string {
  return url.startsWith(GENERATED_IMAGE_HOST)
    ? `/images/${url.slice(GENERATED_IMAGE_HOST.length).replace(/\.jpg$/, '.svg')}`
    : url;
}

/** A price in its currency, e.g. $1,299.99 or €24.99. */
export function formatPrice(priceCents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(priceCents / 100);
}

/** The one browser global the page uses (typed here: the project compiles without the DOM library). */
const browser = globalThis as unknown as { location: { assign(url: string): void } };

const SORT_LABELS: Record<Sort, string> = {
  NEWEST: 'Newest',
  HIGHEST: 'Highest rated',
  LOWEST: 'Lowest rated',
  MOST_HELPFUL: 'Most helpful',
};

function Stars({ rating, label }: { rating: number; label: string }) {
  const full = Math.round(rating);
  return (
    <span className="stars" role="img" aria-label={label}>
      {'★'.repeat(full)}
      <span className="stars-empty">{'★'.repeat(5 - full)}</span>
    </span>
  );
}

/** The HTML document around a page's body. */
export function Document({
  title,
  description,
  styles,
  children,
}: {
  title: string;
  description: string;
  styles: string;
  children: ReactNode;
}) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <meta name="description" content={description} />
        {/* no favicon request (and no 404 in the console) */}
        <link rel="icon" href="data:," />
        <style dangerouslySetInnerHTML={{ __html: styles }} />
      </head>
      <body>
        <header className="site">
          <a href="/" className="brand-mark">
            supergraph shop
          </a>
          <nav className="site-links" aria-label="Site">
            <a href="/">All items</a>
            <a href="/lab">Load lab</a>
            {/* the same origin's /graphql: the gateway's Playground (through nginx, or redirected by this service) */}
            <a href="/graphql" className="playground-link">
              GraphQL Playground
            </a>
          </nav>
        </header>
        {children}
      </body>
    </html>
  );
}

/** Where an item page is rendered: on the server and hydrated (`/items`), or in the browser (`/spa/items`). */
export type Rendering = 'ssr' | 'spa';

const BASE_PATHS: Record<Rendering, string> = { ssr: '/items', spa: '/spa/items' };

/**
 * Which of the four item pages this is, from the props alone: the server's markup and the
 * hydrating bundle's then agree (nothing here may read the browser's address or clock).
 */
function VariantBadge({ rendering, source }: { rendering: Rendering; source: 'graphql' | 'rest' }) {
  const over = source === 'rest' ? 'REST' : 'GraphQL';
  const how =
    rendering === 'ssr'
      ? `rendered on the server from ${source === 'rest' ? 'the REST routes' : 'one GraphQL query'}`
      : `a single-page app that fetched its data over ${over} in the browser`;
  return (
    <p className="variant">
      <span className="badge" title={`This page is ${how}`}>{`${rendering.toUpperCase()} · ${over}`}</span>
    </p>
  );
}

/**
 * The item page under its variant's badge. `source` keeps `?source=rest` in the links it makes;
 * `rendering` says where it is built, which names the badge and where its links lead.
 */
export function ItemPage(props: { data: PageData; sort: Sort; source: 'graphql' | 'rest'; rendering?: Rendering }) {
  const rendering = props.rendering ?? 'ssr';
  return (
    <>
      <VariantBadge rendering={rendering} source={props.source} />
      <ItemMain {...props} basePath={BASE_PATHS[rendering]} />
    </>
  );
}

/** The item page's content; `basePath` is where item pages live (`/items`, or the SPA's `/spa/items`). */
function ItemMain({
  data,
  sort,
  source,
  basePath,
}: {
  data: PageData;
  sort: Sort;
  source: 'graphql' | 'rest';
  basePath: string;
}) {
  const { item, photos, summary } = data;
  // after hydration, "More reviews" appends the next page here instead of navigating
  const [reviews, setReviews] = useState(data.reviews);
  const [loading, setLoading] = useState(false);
  const loadMore = async (event: MouseEvent<HTMLAnchorElement>) => {
    if (!reviews.endCursor || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    setLoading(true);
    try {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: MORE_REVIEWS_QUERY,
          variables: { id: item.id, first: REVIEWS_PER_PAGE, after: reviews.endCursor, sort },
        }),
      });
      const body = (await response.json()) as {
        data?: {
          item?: {
            reviews?: {
              edges: { node: PageData['reviews']['items'][number] }[];
              pageInfo: { hasNextPage: boolean; endCursor: string | null };
            };
          };
        };
      };
      const next = body?.data?.item?.reviews;
      if (!next) throw new Error('no reviews in the answer');
      setReviews({
        items: [...reviews.items, ...next.edges.map((edge) => edge.node)],
        hasNextPage: next.pageInfo.hasNextPage,
        endCursor: next.pageInfo.endCursor,
      });
    } catch {
      // the link still works: fall back to loading the next page
      browser.location.assign((event.currentTarget as unknown as { href: string }).href);
    } finally {
      setLoading(false);
    }
  };
  const link = (params: Record<string, string>) => {
    const query = new URLSearchParams({ ...params, ...(source === 'rest' ? { source } : {}) });
    return `${basePath}/${item.id}?${query}#reviews`;
  };
  const [primary, ...thumbnails] = photos;
  const stock = item.stock === 0 ? 'Out of stock' : item.stock <= 5 ? `Only ${item.stock} left` : 'In stock';
  return (
    <main className="item">
      <section className="gallery" aria-label="Photos">
        {primary ? (
          <img
            className="primary"
            src={imageSrc(primary.url)}
            alt={primary.altText}
            width={primary.width}
            height={primary.height}
            fetchPriority="high"
          />
        ) : (
          <div className="no-photo">No photo yet</div>
        )}
        {thumbnails.length > 0 && (
          <ul className="thumbnails">
            {thumbnails.map((photo) => (
              <li key={photo.position}>
                <img
                  src={imageSrc(photo.url)}
                  alt={photo.altText}
                  width={96}
                  height={Math.round((96 * photo.height) / photo.width)}
                  loading="lazy"
                />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="summary" aria-labelledby="item-name">
        <p className="crumbs">{`${item.category} · ${item.brand}`}</p>
        <h1 id="item-name">{item.name}</h1>
        {summary.count > 0 && summary.averageRating !== null && (
          <p className="rating">
            <Stars rating={summary.averageRating} label={`${summary.averageRating} out of 5 stars`} />
            {` ${summary.averageRating.toFixed(1)} · ${summary.count} review${summary.count === 1 ? '' : 's'}`}
          </p>
        )}
        <p className="price">{formatPrice(item.priceCents, item.currency)}</p>
        <p className={item.stock === 0 ? 'stock out' : 'stock'}>{stock}</p>
        <p className="description">{item.description}</p>
      </section>

      <section id="reviews" className="reviews" aria-labelledby="reviews-title">
        <h2 id="reviews-title">Customer reviews</h2>
        {summary.count === 0 ? (
          <p>No reviews yet.</p>
        ) : (
          <>
            <table className="histogram" aria-label="Ratings by stars">
              <tbody>
                {[5, 4, 3, 2, 1].map((star) => {
                  const count = summary.histogram[star - 1] ?? 0;
                  const share = Math.round((100 * count) / summary.count);
                  return (
                    <tr key={star}>
                      <th scope="row">{star} star</th>
                      <td>
                        <span className="bar" aria-hidden="true">
                          <span style={{ width: `${share}%` }} />
                        </span>
                      </td>
                      <td className="count">{count}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <nav className="sorts" aria-label="Sort reviews">
              {SORTS.map((option) =>
                option === sort ? (
                  <span key={option} aria-current="true">
                    {SORT_LABELS[option]}
                  </span>
                ) : (
                  <a key={option} href={link({ sort: option })}>
                    {SORT_LABELS[option]}
                  </a>
                ),
              )}
            </nav>
            <ol className="review-list">
              {reviews.items.map((review) => (
                <li key={review.id}>
                  <article>
                    <h3>
                      <Stars rating={review.rating} label={`${review.rating} out of 5 stars`} />
                      {` ${review.title}`}
                    </h3>
                    <p className="meta">
                      {`${review.author}${review.verifiedPurchase ? ' · Verified purchase' : ''} · `}
                      <time dateTime={review.createdAt}>{review.createdAt.slice(0, 10)}</time>
                    </p>
                    <p>{review.body}</p>
                    {review.helpfulCount > 0 && (
                      <p className="helpful">{`${review.helpfulCount} ${review.helpfulCount === 1 ? 'person' : 'people'} found this helpful`}</p>
                    )}
                  </article>
                </li>
              ))}
            </ol>
            <nav className="pages" aria-label="Review pages">
              {reviews.hasNextPage && reviews.endCursor && (
                <a href={link({ sort, after: reviews.endCursor })} rel="next" onClick={loadMore} aria-busy={loading}>
                  More reviews
                </a>
              )}
            </nav>
          </>
        )}
      </section>
    </main>
  );
}

/** What a listing page is called: its category, or the whole shop. */
export function listingTitle(request: ListingRequest): string {
  return request.category ?? 'All items';
}

/** Tiles above the fold load at once; the rest as they scroll into view. */
const EAGER_TILES = 8;

/**
 * The shop's listing (`/`): a page of items, newest first, each linked to its item page, with
 * the next page's link (`?after=`); `?category=` narrows it to one category. No script: plain links.
 */
export function ListingPage({ data, request }: { data: ListingData; request: ListingRequest }) {
  const { category, after } = request;
  const empty = after ? 'No more items.' : category ? `No items in ${category}.` : 'The shop has no items yet.';
  return (
    <main className="listing">
      <h1>{listingTitle(request)}</h1>
      <p className="listing-intro">
        {'Newest first'}
        {category ? (
          <>
            {' · '}
            <a href="/">all items</a>
          </>
        ) : null}
      </p>
      {data.items.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <ol className="tiles">
          {data.items.map((item, index) => (
            <li key={item.id}>
              {/* the name below says what the photo shows: the image is decoration inside the link */}
              <a href={`/items/${item.id}`} className="tile">
                {item.primaryPhoto ? (
                  <img
                    src={imageSrc(item.primaryPhoto.url)}
                    alt=""
                    width={item.primaryPhoto.width}
                    height={item.primaryPhoto.height}
                    loading={index < EAGER_TILES ? 'eager' : 'lazy'}
                  />
                ) : (
                  <span className="no-photo">No photo yet</span>
                )}
                <span className="tile-name">{item.name}</span>
                <span className="tile-price">{formatPrice(item.priceCents, item.currency)}</span>
              </a>
              <p className="tile-meta">
                <a href={listingHref({ category: item.category })}>{item.category}</a>
                {` · ${item.brand}`}
              </p>
            </li>
          ))}
        </ol>
      )}
      <nav className="pages" aria-label="Item pages">
        {after ? <a href={listingHref({ category })}>First page</a> : null}
        {data.hasNextPage && data.endCursor ? (
          <a href={listingHref({ category, after: data.endCursor })} rel="next">
            Next page
          </a>
        ) : null}
      </nav>
    </main>
  );
}

/** While the single-page app's data is on its way: the page's frame, marked busy. */
export function LoadingPage() {
  return (
    <main className="item loading" aria-busy="true">
      <section className="gallery" aria-label="Photos">
        <div className="no-photo">Loading…</div>
      </section>
      <section className="summary">
        <p>Loading the item…</p>
      </section>
    </main>
  );
}

/** An error page: real HTML with the status's explanation, never a stack trace. */
export function ErrorPage({ status, message }: { status: number; message: string }) {
  const heading =
    status === 404
      ? 'We could not find that item'
      : status === 400
        ? 'That address is not right'
        : 'The shop is unavailable for a moment';
  return (
    <main className="error">
      <h1>{heading}</h1>
      <p>{message}</p>
      <p>
        <a href="/">Back to the shop</a>
      </p>
    </main>
  );
}
