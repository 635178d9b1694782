/** The page's CSS, inlined: one request per page, nothing render-blocking. */
export const STYLES = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f7f7f5}
a{color:#0b5cad}
.site{padding:12px 24px;background:#14213d;display:flex;justify-content:space-between;align-items:baseline}
.site-links{display:flex;gap:20px}
.site-links a{color:#cfd8ea;font-size:14px}
.variant{max-width:1100px;margin:16px auto -8px;padding:0 24px}
.badge{display:inline-block;padding:1px 8px;border:1px solid #14213d;border-radius:999px;background:#fff}
.badge{font-size:12px;font-weight:600;letter-spacing:.04em;color:#14213d}
.listing{max-width:1100px;margin:0 auto;padding:24px}
.listing-intro{margin:0 0 16px;color:#555}
.tiles{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:20px}
.tile{display:flex;flex-direction:column;gap:4px;color:inherit;text-decoration:none}
.tile img,.tile .no-photo{width:100%;height:auto;aspect-ratio:4/3;object-fit:cover;border-radius:6px;background:#e6e6e1}
.tile:hover .tile-name{text-decoration:underline}
.tile-name{font-weight:600;line-height:1.3}
.tile-price{font-weight:700}
.tile-meta{margin:2px 0 0;color:#555;font-size:.85rem}
.pages{display:flex;gap:16px;margin-top:24px}
.brand-mark{color:#fff;font-weight:700;text-decoration:none;letter-spacing:.02em}
.item{max-width:1100px;margin:0 auto;padding:24px;display:grid;grid-template-columns:minmax(0,1.1fr) minmax(0,1fr);gap:32px}
.gallery .primary{width:100%;height:auto;border-radius:8px;background:#e6e6e1}
.no-photo{aspect-ratio:1;display:grid;place-items:center;background:#e6e6e1;border-radius:8px;color:#555}
.thumbnails{list-style:none;display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:12px 0 0}
.thumbnails img{border-radius:4px;background:#e6e6e1;height:auto}
.crumbs{margin:0;color:#555;font-size:.9rem}
h1{font-size:1.8rem;line-height:1.25;margin:.2em 0 .4em}
.price{font-size:1.6rem;font-weight:700;margin:.2em 0}
.stock{color:#1f7a3a;font-weight:600;margin:.2em 0}
.stock.out{color:#a12b2b}
.stars{color:#b26a00;letter-spacing:1px}
.stars-empty{color:#c9c9c4}
.reviews{grid-column:1/-1;max-width:760px}
.histogram{border-collapse:collapse;margin:8px 0 16px}
.histogram th{font-weight:500;text-align:left;padding:2px 12px 2px 0;white-space:nowrap}
.histogram .bar{display:inline-block;width:220px;height:12px;background:#e6e6e1;border-radius:6px;overflow:hidden;vertical-align:middle}
.histogram .bar span{display:block;height:100%;background:#b26a00}
.histogram .count{padding-left:8px;color:#555}
.sorts{display:flex;flex-wrap:wrap;gap:16px;margin:8px 0}
.sorts [aria-current]{font-weight:700}
.review-list{list-style:none;padding:0}
.review-list li{border-top:1px solid #ddd;padding:12px 0}
.review-list h3{font-size:1.05rem;margin:0}
.meta,.helpful{color:#555;font-size:.9rem;margin:.2em 0}
.pages a{display:inline-block;padding:8px 16px;border:1px solid #0b5cad;border-radius:6px;text-decoration:none}
.error{max-width:640px;margin:48px auto;padding:24px}
@media (max-width:760px){.item{grid-template-columns:1fr}}
`.trim();
