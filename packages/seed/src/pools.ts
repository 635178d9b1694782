/**
 * Word pools the generator composes its text from. Pre-built once, so the hot loop only picks
 * and concatenates. Nothing here may contain a tab, newline, carriage return or backslash: the
 * loader writes generated text into COPY's text format unescaped (checked by a test).
 */

/** A shop category: what it sells and what it costs. */
export interface CategorySpec {
  name: string;
  /** Three-letter code used in SKUs. */
  code: string;
  /** Relative share of the catalogue. */
  weight: number;
  /** Median price in cents. */
  medianPriceCents: number;
  nouns: readonly string[];
  /** Things a description says about this kind of product. */
  features: readonly string[];
}

export const CATEGORIES: readonly CategorySpec[] = [
  {
    name: 'Electronics', code: 'ELE', weight: 14, medianPriceCents: 8999,
    nouns: ['Wireless Headphones', 'Bluetooth Speaker', 'Smartwatch', 'Tablet', 'E-Reader', 'Portable Charger', 'Webcam', 'Soundbar', 'Earbuds', 'Action Camera', 'Streaming Stick', 'Dash Cam'],
    features: ['a battery that lasts a full day and then some', 'USB-C fast charging', 'noise cancellation that actually works on a train', 'a bright, glare-free display', 'a firmware update path that has been kept up for years', 'pairing in seconds with phones and laptops', 'a companion app that is optional, not required'],
  },
  {
    name: 'Computers', code: 'CMP', weight: 7, medianPriceCents: 12999,
    nouns: ['Mechanical Keyboard', 'Wireless Mouse', 'USB-C Hub', '27-inch Monitor', 'External SSD', 'Laptop Stand', 'Docking Station', 'Graphics Tablet', 'Mesh Wi-Fi Router', 'NVMe Drive'],
    features: ['hot-swappable switches', 'a solid aluminium body', 'plug-and-play setup on Linux, macOS and Windows', 'sustained transfer speeds well above 900 MB/s', 'a cable long enough for a standing desk', 'per-key RGB that can be switched off entirely'],
  },
  {
    name: 'Home & Kitchen', code: 'HOM', weight: 13, medianPriceCents: 3999,
    nouns: ['Chef Knife', 'Cast Iron Skillet', 'French Press', 'Blender', 'Air Fryer', 'Cutting Board', 'Stand Mixer', 'Kettle', 'Dutch Oven', 'Knife Block', 'Spice Rack', 'Food Storage Set'],
    features: ['dishwasher-safe parts', 'an even heat across the whole surface', 'a grip that stays comfortable with wet hands', 'a footprint small enough for a city kitchen', 'materials free of PFAS and BPA', 'a lid that seals properly'],
  },
  {
    name: 'Furniture', code: 'FUR', weight: 5, medianPriceCents: 17999,
    nouns: ['Office Chair', 'Standing Desk', 'Bookshelf', 'Side Table', 'Sofa Bed', 'Floor Lamp', 'Nightstand', 'Storage Bench', 'Bar Stool', 'Shoe Cabinet'],
    features: ['tool-free assembly in under twenty minutes', 'solid oak veneer', 'a frame rated for daily use', 'adjustable height and tilt', 'felt pads that protect wooden floors', 'replacement parts available for ten years'],
  },
  {
    name: 'Sports & Outdoors', code: 'SPO', weight: 9, medianPriceCents: 4999,
    nouns: ['Yoga Mat', 'Trail Running Shoes', 'Camping Tent', 'Water Bottle', 'Hiking Backpack', 'Sleeping Bag', 'Resistance Bands', 'Bike Helmet', 'Trekking Poles', 'Headlamp', 'Dumbbell Set'],
    features: ['a weight that barely registers in a pack', 'seams taped against rain', 'a grip that holds on wet rock', 'a fit that adjusts without tools', 'recycled ripstop fabric', 'reflective details for dusk'],
  },
  {
    name: 'Clothing', code: 'CLO', weight: 12, medianPriceCents: 3499,
    nouns: ['Merino T-Shirt', 'Rain Jacket', 'Denim Jeans', 'Hoodie', 'Wool Socks', 'Chino Trousers', 'Down Vest', 'Linen Shirt', 'Running Shorts', 'Knit Beanie'],
    features: ['fabric that breathes on warm days', 'a cut that is true to size', 'flatlock seams that do not chafe', 'colours that survive a hundred washes', 'organic cotton from audited farms', 'pockets deep enough for a phone'],
  },
  {
    name: 'Beauty', code: 'BEA', weight: 6, medianPriceCents: 2299,
    nouns: ['Face Serum', 'Moisturiser', 'Shampoo', 'Hair Dryer', 'Electric Toothbrush', 'Sunscreen SPF 50', 'Beard Trimmer', 'Lip Balm Set', 'Makeup Brush Set'],
    features: ['a formula without added fragrance', 'a texture that absorbs quickly', 'dermatologist-tested ingredients', 'a travel-friendly size', 'a refillable container', 'a motor that stays quiet'],
  },
  {
    name: 'Toys & Games', code: 'TOY', weight: 7, medianPriceCents: 2999,
    nouns: ['Building Blocks Set', 'Board Game', 'Jigsaw Puzzle', 'Remote Control Car', 'Plush Bear', 'Card Game', 'Wooden Train Set', 'Science Kit', 'Drone for Kids'],
    features: ['pieces sized for small hands', 'rules that take five minutes to learn', 'replay value that lasts for months', 'non-toxic water-based paints', 'a storage box that keeps every piece together', 'play for two to six players'],
  },
  {
    name: 'Books', code: 'BOO', weight: 8, medianPriceCents: 1899,
    nouns: ['Cookbook', 'Travel Guide', 'Field Guide to Birds', 'Novel', 'Programming Handbook', 'Photography Manual', 'Children\'s Picture Book', 'History of Maps', 'Poetry Collection'],
    features: ['clear photography on every spread', 'a lay-flat binding', 'an index that actually finds things', 'writing that is hard to put down', 'exercises at the end of each chapter', 'a second edition with corrected errata'],
  },
  {
    name: 'Garden', code: 'GAR', weight: 5, medianPriceCents: 3999,
    nouns: ['Garden Hose', 'Pruning Shears', 'Raised Bed Kit', 'Compost Bin', 'Solar Path Lights', 'Watering Can', 'Seed Starter Tray', 'Hedge Trimmer', 'Bird Feeder'],
    features: ['blades that stay sharp through a season', 'UV-stable plastic that does not crack', 'a drip-free connector', 'a frame that resists rust', 'assembly without drilling', 'a finish that weathers gracefully'],
  },
  {
    name: 'Pet Supplies', code: 'PET', weight: 5, medianPriceCents: 2499,
    nouns: ['Dog Bed', 'Cat Scratching Post', 'Pet Fountain', 'Leash', 'Chew Toy', 'Litter Box', 'Travel Crate', 'Grooming Brush', 'Automatic Feeder'],
    features: ['a washable removable cover', 'materials safe for heavy chewers', 'a quiet pump', 'anti-slip feet', 'a size guide that matches real dogs', 'easy cleaning in under a minute'],
  },
  {
    name: 'Automotive', code: 'AUT', weight: 4, medianPriceCents: 3499,
    nouns: ['Car Vacuum', 'Jump Starter', 'Tyre Inflator', 'Phone Mount', 'Seat Organiser', 'Microfibre Towels', 'Wiper Blades', 'OBD2 Scanner'],
    features: ['a cable long enough to reach every tyre', 'a mount that survives potholes', 'a charge that holds for months', 'a fit tested on more than two hundred models', 'storage that folds flat'],
  },
  {
    name: 'Office', code: 'OFF', weight: 5, medianPriceCents: 1999,
    nouns: ['Notebook', 'Fountain Pen', 'Desk Organiser', 'Label Printer', 'Paper Shredder', 'Whiteboard', 'Desk Mat', 'Planner', 'Stapler'],
    features: ['paper that takes fountain-pen ink without bleeding', 'a build that survives a busy office', 'refills that are easy to find', 'a clean minimal design', 'a mechanism that never jams'],
  },
];

export const ADJECTIVES: readonly string[] = [
  'Compact', 'Classic', 'Pro', 'Ultra', 'Everyday', 'Premium', 'Lightweight', 'Heavy-Duty', 'Eco', 'Smart',
  'Essential', 'Deluxe', 'Travel', 'Studio', 'Outdoor', 'Modern', 'Vintage', 'Slim', 'Foldable', 'Quiet',
  'Rapid', 'Signature', 'Urban', 'Alpine', 'Coastal', 'Nordic', 'Minimal', 'Rugged', 'Soft-Touch', 'Adjustable',
];

export const COLOURS: readonly string[] = [
  'Black', 'White', 'Graphite', 'Navy', 'Forest Green', 'Sand', 'Slate Grey', 'Burgundy', 'Sky Blue', 'Olive',
  'Charcoal', 'Cream', 'Terracotta', 'Mustard', 'Silver',
];

const BRAND_HEADS = ['Nord', 'Vel', 'Aur', 'Kest', 'Lum', 'Bram', 'Cor', 'Dex', 'Ever', 'Fjel', 'Gran', 'Hal', 'Iso', 'Jun', 'Kal', 'Lor', 'Mar', 'Nov', 'Ost', 'Pel', 'Quin', 'Ros', 'Sol', 'Tor', 'Ul', 'Vant', 'Wil', 'Zen'];
const BRAND_TAILS = ['vik', 'ora', 'stone', 'wick', 'tek', 'line', 'field', 'haus', 'ly', 'mark', 'ridge', 'co', 'works', 'form', 'craft', 'nova'];

/** About 450 made-up brand names: every head with every tail. */
export const BRANDS: readonly string[] = BRAND_HEADS.flatMap((head) => BRAND_TAILS.map((tail) => head + tail));

/** Openings and closings wrapped around a category's features in item descriptions. */
export const DESCRIPTION_OPENINGS: readonly string[] = [
  'Designed for everyday use, it pairs {feature} with {feature}.',
  'What sets it apart is {feature}.',
  'Owners keep coming back to {feature}.',
  'Built around {feature}, it also brings {feature}.',
  'You get {feature}, plus {feature}.',
  'Expect {feature} and {feature}.',
  'It is the one to pick if you care about {feature}.',
  'Small details matter here: {feature}, and {feature}.',
];

export const DESCRIPTION_CLOSINGS: readonly string[] = [
  'Backed by a two-year warranty.',
  'Ships in plastic-free packaging.',
  'Free returns within 30 days.',
  'Spare parts are sold separately.',
  'Made in a factory audited for fair working conditions.',
  'Check the size guide before ordering.',
  'Includes a printed quick-start guide.',
  'Available in several colours.',
];

export const FIRST_NAMES: readonly string[] = [
  'Maria', 'James', 'Aisha', 'Chen', 'Lucas', 'Sofia', 'Noah', 'Amara', 'Liam', 'Yuki', 'Olivia', 'Mateo', 'Priya', 'Ethan',
  'Fatima', 'Jonas', 'Elena', 'Omar', 'Hannah', 'Diego', 'Ingrid', 'Kwame', 'Lea', 'Ravi', 'Mia', 'Tomasz', 'Zara', 'Felix',
  'Nadia', 'Samuel', 'Chloe', 'Arjun', 'Emma', 'Hiro', 'Isabel', 'Kofi', 'Laura', 'Marco', 'Nina', 'Pavel', 'Rosa', 'Sven',
  'Tara', 'Viktor', 'Wen', 'Yara', 'Ben', 'Carla', 'Dmitri', 'Eva',
];

export const LAST_INITIALS: readonly string[] = 'ABCDEFGHIJKLMNOPRSTVWYZ'.split('').map((letter) => `${letter}.`);

/** Review language by sentiment: 0 = negative (1-2 stars), 1 = mixed (3), 2 = positive (4-5). */
export const REVIEW_TITLES: readonly (readonly string[])[] = [
  ['Disappointed', 'Broke after a month', 'Not as described', 'Would not buy again', 'Returned it', 'Poor quality', 'Save your money', 'Stopped working', 'Looks cheap in person'],
  ['Does the job', 'Okay for the price', 'Mixed feelings', 'Good but not great', 'Decent, with caveats', 'Fine for occasional use', 'Average', 'Some good, some bad'],
  ['Exactly what I needed', 'Excellent quality', 'Love it', 'Worth every penny', 'Better than expected', 'Five stars', 'Highly recommend', 'Great value', 'Use it every day', 'Bought a second one'],
];

export const REVIEW_SENTENCES: readonly (readonly string[])[] = [
  [
    'It stopped working after a few weeks of light use.', 'The finish scratched on the first day.', 'Customer service took ages to reply.',
    'The photos make it look much sturdier than it is.', 'Parts did not line up during assembly.', 'It arrived with a dent in the side.',
    'The instructions were missing a step.', 'It feels flimsy in the hand.', 'I expected better at this price.',
    'The smell did not go away after airing it out.', 'It is much smaller than the listing suggests.', 'I had to return it.',
  ],
  [
    'It works, but the build could be better.', 'Setup was fiddly, though it runs fine now.', 'Good value if you do not need the extras.',
    'The colour is a little different from the photos.', 'Delivery was quick.', 'It does what it says, nothing more.',
    'I would like a longer cable.', 'Comfortable enough for short sessions.', 'It is a bit louder than I hoped.',
    'After a week I am still on the fence.', 'The price went down a week after I bought it.',
  ],
  [
    'I use it every single day and it still looks new.', 'Setup took five minutes.', 'The quality is obvious the moment you pick it up.',
    'It replaced a more expensive model and does the job better.', 'My partner liked it so much we ordered another.', 'It arrived two days early.',
    'Solid construction and thoughtful details.', 'It is quiet, fast and easy to clean.', 'Exactly as pictured.',
    'I have recommended it to friends.', 'Six months in and no complaints.', 'It fits perfectly.', 'It was a thoughtful gift and a hit.',
  ],
];

/** Views a product photo shows, for alt text. */
export const PHOTO_VIEWS: readonly string[] = [
  'front view', 'side view', 'back view', 'in use', 'close-up of the details', 'with its packaging', 'from above', 'in a living room',
  'size comparison', 'all included parts', 'in another colour', 'on a white background',
];

const IMAGE_SIZES: readonly (readonly [number, number])[] = [
  [800, 800], [1000, 1000], [1200, 1200], [1600, 1600], [1200, 900], [1600, 1200], [900, 1200], [1200, 1500],
];

/** One image in the shared pool: shops reuse images; we never generate millions of them. */
export interface PooledImage {
  url: string;
  width: number;
  height: number;
}

/** The image host the generated URLs point at (a reserved `.example` name: it never resolves). */
export const IMAGE_HOST = 'https://images.supergraph-shop.example';

/**
 * About 1,000 real-looking image URLs with their sizes, the same for every seed.
 * `next32` supplies the randomness so the pool is deterministic.
 */
export function buildImagePool(next32: () => number, size = 1000): PooledImage[] {
  const pool: PooledImage[] = [];
  for (let i = 0; i < size; i++) {
    const hash = next32().toString(16).padStart(8, '0') + next32().toString(16).padStart(8, '0');
    const [width, height] = IMAGE_SIZES[next32() % IMAGE_SIZES.length]!;
    pool.push({ url: `${IMAGE_HOST}/products/${hash.slice(0, 2)}/${hash}_${width}x${height}.jpg`, width, height });
  }
  return pool;
}
