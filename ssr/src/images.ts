// The item photos' stand-ins: the generated data names photos on an outside host; this service
// draws each one as a small SVG instead, so a page loads nothing from outside.
import { createHash } from 'node:crypto';

/** A placeholder image for a generated photo URL: a calm colour from its hash, at its size. */
export function placeholderSvg(path: string): string | null {
  const match = /^products\/[0-9a-f]{2}\/([0-9a-f]{16})_(\d{2,4})x(\d{2,4})\.svg$/.exec(path);
  if (!match) return null;
  const [, hash, width, height] = match;
  const hue = parseInt(createHash('sha1').update(hash!).digest('hex').slice(0, 4), 16) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="hsl(${hue} 35% 82%)"/><circle cx="50%" cy="45%" r="${Math.round(Number(width) / 6)}" fill="hsl(${hue} 35% 68%)"/></svg>`;
}
