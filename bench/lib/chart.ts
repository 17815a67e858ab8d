import type { Row, Summary } from './report.js';

interface Bar {
  key: string;
  label: string;
  note?: (summary: Summary) => string | undefined;
  /** The req/s this bar should reach: a multiple of another row's (drawn as a dashed mark). */
  target?: { of: string; times: number };
}

const ratioNote =
  (ratio: string, unit: string) =>
  (summary: Summary): string | undefined => {
    const value = summary.ratios[ratio];
    return Number.isFinite(value) ? `${value.toFixed(2)}× ${unit}` : undefined;
  };

const GROUPS: Array<{ title: string; bars: Bar[] }> = [
  {
    title: 'Hot read — GET /v1/products/1',
    bars: [
      { key: 'raw:hot-read', label: 'raw node:http (ceiling)' },
      { key: 'bare:hot-read', label: 'bare NestJS on Express (floor)' },
      {
        key: 'hot-read',
        label: 'mall service',
        note: ratioNote('hot-read / bare', 'bare'),
        target: { of: 'bare:hot-read', times: 1 },
      },
      {
        key: 'workers2:hot-read',
        label: 'mall service, WORKERS=2',
        note: ratioNote('WORKERS=2 / WORKERS=1 (hot-read)', 'WORKERS=1'),
      },
    ],
  },
  {
    title: 'Hot list — GET /v1/products?page=1',
    bars: [
      { key: 'raw:hot-list', label: 'raw node:http (ceiling)' },
      { key: 'bare:hot-list', label: 'bare NestJS on Express (floor)' },
      {
        key: 'hot-list',
        label: 'mall service',
        note: ratioNote('hot-list / bare', 'bare'),
        target: { of: 'bare:hot-list', times: 0.8 },
      },
    ],
  },
  {
    title: 'Database and Redis bound',
    bars: [
      {
        key: 'uncached-list',
        label: 'list, a new filter each request',
        note: ratioNote('uncached-list / its SQL = floor (pgbench list)', 'pgbench'),
        target: { of: 'pgbench:list', times: 0.5 },
      },
      { key: 'pgbench:list', label: 'pgbench, the page and its count' },
      { key: 'cart-add', label: 'POST /v1/cart/items' },
      {
        key: 'order-random',
        label: 'POST /v1/orders, random product',
        note: ratioNote('order-random / floor (pgbench floor-random)', 'floor'),
        target: { of: 'pgbench:floor-random', times: 0.5 },
      },
      { key: 'pgbench:random', label: "pgbench, the service's checkout SQL" },
      { key: 'pgbench:floor-random', label: 'pgbench, the essential checkout work (floor)' },
      {
        key: 'order-hot',
        label: 'POST /v1/orders, one hot product',
        note: ratioNote('order-hot / floor (pgbench floor-hot)', 'floor'),
        target: { of: 'pgbench:floor-hot', times: 0.8 },
      },
      { key: 'pgbench:hot', label: "pgbench, the service's SQL, one hot product" },
      { key: 'pgbench:floor-hot', label: 'pgbench, the floor, one hot product' },
    ],
  },
  { title: 'Mixed workload', bars: [{ key: 'mixed', label: 'reads, cart writes, orders' }] },
];

const COLORS: Record<Row['target'], string> = {
  service: '#2b6cb0',
  workers2: '#2c7a7b',
  raw: '#a0aec0',
  bare: '#718096',
  pgbench: '#dd6b20',
};

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A horizontal bar chart of req/s (pgbench: transactions/s) per scenario, as standalone SVG. */
export function renderChart(summary: Summary, subtitle: string): string {
  const rows = new Map(summary.rows.map((row) => [row.key, row]));
  const width = 980;
  const labelWidth = 250;
  const barWidth = 440;
  const rowHeight = 22;
  const max = Math.max(...summary.rows.map((row) => row.rps).filter(Number.isFinite));
  const scale = niceCeiling(max);
  const parts: string[] = [];
  let y = 70;

  for (const group of GROUPS) {
    const present = group.bars.filter((bar) => rows.has(bar.key));
    if (present.length === 0) {
      continue;
    }
    parts.push(`<text x="12" y="${y + 14}" class="group">${escape(group.title)}</text>`);
    y += 22;
    for (const bar of present) {
      const row = rows.get(bar.key)!;
      const length = Math.max(1, (row.rps / scale) * barWidth);
      const unit = row.target === 'pgbench' ? 'TPS' : 'req/s';
      const latency =
        row.target === 'pgbench' ? `avg ${row.latencyAvgMs?.toFixed(1)} ms` : `p99 ${row.p99.toFixed(1)} ms`;
      const note = bar.note?.(summary);
      const goal = bar.target && rows.get(bar.target.of);
      const goalX = bar.target && goal ? labelWidth + ((goal.rps * bar.target.times) / scale) * barWidth : NaN;
      const goalLine = Number.isFinite(goalX)
        ? `<line x1="${goalX.toFixed(1)}" y1="${y}" x2="${goalX.toFixed(1)}" y2="${y + rowHeight}" class="goal"/>`
        : '';
      parts.push(
        `<g><title>${escape(`${row.key}: ${Math.round(row.rps)} ${unit}, ${latency}`)}</title>` +
          `<text x="${labelWidth - 8}" y="${y + 15}" class="label" text-anchor="end">${escape(bar.label)}</text>` +
          `<rect x="${labelWidth}" y="${y + 3}" width="${length.toFixed(1)}" height="${rowHeight - 6}" fill="${COLORS[row.target]}"/>` +
          goalLine +
          `<text x="${labelWidth + length + 6}" y="${y + 15}" class="value">${Math.round(row.rps).toLocaleString('en-US')} ${unit} · ${latency}` +
          (note ? ` · <tspan class="note">${escape(note)}</tspan>` : '') +
          `</text></g>`,
      );
      y += rowHeight;
    }
    y += 8;
  }

  const grid: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const x = labelWidth + (barWidth * i) / 4;
    grid.push(
      `<line x1="${x}" y1="86" x2="${x}" y2="${y}" class="grid"/>` +
        `<text x="${x}" y="${y + 14}" class="axis" text-anchor="middle">${((scale * i) / 4).toLocaleString('en-US')}</text>`,
    );
  }
  const legend =
    (
      Object.entries({
        'mall service': COLORS.service,
        'WORKERS=2': COLORS.workers2,
        'raw node:http': COLORS.raw,
        'bare NestJS': COLORS.bare,
        pgbench: COLORS.pgbench,
      }) as Array<[string, string]>
    )
      .map(([name, color], i) => {
        const x = labelWidth + i * 120;
        return `<rect x="${x}" y="${y + 26}" width="10" height="10" fill="${color}"/><text x="${x + 14}" y="${y + 35}" class="axis">${name}</text>`;
      })
      .join('') +
    `<line x1="${labelWidth + 600}" y1="${y + 24}" x2="${labelWidth + 600}" y2="${y + 38}" class="goal"/>` +
    `<text x="${labelWidth + 606}" y="${y + 35}" class="axis">target</text>`;
  const height = y + 50;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif">`,
    '<style>.title{font-size:17px;font-weight:600}.sub{font-size:12px;fill:#4a5568}.group{font-size:13px;font-weight:600;fill:#1a202c}' +
      '.label{font-size:12px;fill:#2d3748}.value{font-size:11.5px;fill:#1a202c;paint-order:stroke;stroke:#fff;stroke-width:3px}.note{font-weight:600;fill:#2b6cb0}' +
      '.axis{font-size:11px;fill:#4a5568}.grid{stroke:#e2e8f0;stroke-width:1}.goal{stroke:#c53030;stroke-width:2;stroke-dasharray:3 2}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    '<text x="12" y="26" class="title">Mall service throughput per scenario (req/s; pgbench: transactions/s)</text>',
    `<text x="12" y="46" class="sub">${escape(subtitle)}</text>`,
    ...grid,
    ...parts,
    legend,
    '</svg>',
    '',
  ].join('\n');
}

/** 1, 2 or 5 × a power of ten, at least `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= value) ?? value;
}
