/**
 * A V8 `.cpuprofile` (what `node --cpu-prof` writes) turned into a self-contained SVG
 * flame graph, plus the self-time tables printed beside it. No dependencies, no network.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A merged call-tree node: one per distinct frame under one parent. */
interface Frame {
  name: string;
  location: string;
  group: string;
  selfUs: number;
  totalUs: number;
  children: Map<string, Frame>;
}

export interface SelfTime {
  name: string;
  location: string;
  group: string;
  selfMs: number;
  share: number;
}

export interface Analysis {
  /** Whether only the samples of the requested window were used. */
  windowed: boolean;
  /** CPU time (not idle) inside the window, in ms. */
  busyMs: number;
  idleMs: number;
  windowMs: number;
  topFrames: SelfTime[];
  byGroup: Array<{ group: string; selfMs: number; share: number }>;
  root: Frame;
}

/** Where a frame's code lives: a package, the app, Node itself, or V8. */
function groupOf(frame: CallFrame): string {
  const url = frame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) {
    return pkg[1];
  }
  if (url.startsWith('node:')) {
    return 'node (core)';
  }
  if (url.includes('/dist/')) {
    return 'app (dist/)';
  }
  if (url === '') {
    return frame.functionName.startsWith('(') ? frame.functionName : 'V8 / native';
  }
  return 'other';
}

function locationOf(frame: CallFrame): string {
  if (!frame.url) {
    return '';
  }
  const short = frame.url
    .replace(/^file:\/\//, '')
    .replace(/^.*?node_modules\//, '')
    .replace(/^.*?\/dist\//, 'dist/');
  return `${short}:${frame.lineNumber + 1}`;
}

/**
 * Self and total time per frame over the samples taken in `[fromUs, toUs]` (V8's
 * monotonic clock, the same clock as `process.hrtime`); the whole profile when omitted
 * or when the window misses it.
 */
export function analyze(profile: CpuProfile, window?: { fromUs: number; toUs: number }): Analysis {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }
  // Sample i lasts until sample i + 1.
  const selfUs = new Map<number, number>();
  const windowed = window !== undefined && window.fromUs < profile.endTime && window.toUs > profile.startTime;
  let time = profile.startTime;
  let windowStart = Infinity;
  let windowEnd = -Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    if (windowed && (time < window.fromUs || time > window.toUs)) {
      continue;
    }
    const duration = profile.timeDeltas[i + 1] ?? 0;
    windowStart = Math.min(windowStart, time);
    windowEnd = Math.max(windowEnd, time + duration);
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + duration);
  }

  const root: Frame = { name: 'all', location: '', group: 'root', selfUs: 0, totalUs: 0, children: new Map() };
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const path: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      path.unshift(byId.get(at)!.callFrame);
    }
    const leaf = path[path.length - 1];
    if (leaf.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    let frame = root;
    root.totalUs += us;
    for (const callFrame of path.slice(1)) {
      const key = `${callFrame.functionName}|${callFrame.url}|${callFrame.lineNumber}|${callFrame.columnNumber}`;
      let next = frame.children.get(key);
      if (!next) {
        next = {
          name: callFrame.functionName || '(anonymous)',
          location: locationOf(callFrame),
          group: groupOf(callFrame),
          selfUs: 0,
          totalUs: 0,
          children: new Map(),
        };
        frame.children.set(key, next);
      }
      next.totalUs += us;
      frame = next;
    }
    frame.selfUs += us;
  }

  const busyUs = root.totalUs;
  const selfByFrame = new Map<string, SelfTime>();
  const selfByGroup = new Map<string, number>();
  const visit = (frame: Frame) => {
    if (frame !== root && frame.selfUs > 0) {
      const key = `${frame.name}|${frame.location}`;
      const entry = selfByFrame.get(key) ?? {
        name: frame.name,
        location: frame.location,
        group: frame.group,
        selfMs: 0,
        share: 0,
      };
      entry.selfMs += frame.selfUs / 1000;
      selfByFrame.set(key, entry);
      selfByGroup.set(frame.group, (selfByGroup.get(frame.group) ?? 0) + frame.selfUs / 1000);
    }
    frame.children.forEach(visit);
  };
  visit(root);
  const share = (ms: number) => ms / (busyUs / 1000);
  return {
    windowed,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    windowMs: (windowEnd - windowStart) / 1000,
    topFrames: [...selfByFrame.values()]
      .map((entry) => ({ ...entry, share: share(entry.selfMs) }))
      .sort((a, b) => b.selfMs - a.selfMs),
    byGroup: [...selfByGroup.entries()]
      .map(([group, selfMs]) => ({ group, selfMs, share: share(selfMs) }))
      .sort((a, b) => b.selfMs - a.selfMs),
    root,
  };
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A stable, readable colour per group: the app blue, Node green, V8 grey, packages warm. */
function colorOf(group: string, name: string): string {
  if (group === 'app (dist/)') {
    return 'hsl(210, 65%, 62%)';
  }
  if (group === 'node (core)') {
    return 'hsl(130, 40%, 58%)';
  }
  if (group.startsWith('(') || group === 'V8 / native' || group === 'root') {
    return name === '(garbage collector)' ? 'hsl(0, 70%, 65%)' : 'hsl(0, 0%, 72%)';
  }
  let hash = 0;
  for (const char of group) {
    hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  }
  return `hsl(${15 + (hash % 40)}, ${70 + (hash % 20)}%, ${58 + (hash % 12)}%)`;
}

/** The flame graph: the root at the bottom, callers below callees, width = CPU time. */
export function renderFlameGraph(analysis: Analysis, title: string): string {
  const width = 1200;
  const frameHeight = 17;
  const margin = 10;
  const chars = (px: number) => Math.floor((px - 6) / 6.4);
  let depth = 0;
  const measure = (frame: Frame, level: number) => {
    depth = Math.max(depth, level);
    frame.children.forEach((child) => measure(child, level + 1));
  };
  measure(analysis.root, 0);
  const height = (depth + 1) * frameHeight + 90;
  const scale = (width - 2 * margin) / Math.max(1, analysis.root.totalUs);
  const rects: string[] = [];

  const draw = (frame: Frame, x: number, level: number) => {
    const w = frame.totalUs * scale;
    if (w < 0.4) {
      return;
    }
    const y = height - 40 - (level + 1) * frameHeight;
    const pct = ((frame.totalUs / analysis.root.totalUs) * 100).toFixed(2);
    const label = frame === analysis.root ? `all (${(analysis.busyMs / 1000).toFixed(2)} s of CPU)` : frame.name;
    const fit = chars(w);
    const text = fit >= 3 ? (label.length > fit ? `${label.slice(0, fit - 1)}…` : label) : '';
    rects.push(
      `<g><title>${escape(`${frame.name} ${frame.location}\ntotal ${(frame.totalUs / 1000).toFixed(1)} ms (${pct}%), self ${(frame.selfUs / 1000).toFixed(1)} ms — ${frame.group}`)}</title>` +
        `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${frameHeight - 1}" fill="${colorOf(frame.group, frame.name)}" rx="1"/>` +
        (text ? `<text x="${(x + 3).toFixed(2)}" y="${y + 12}">${escape(text)}</text>` : '') +
        '</g>',
    );
    let childX = x;
    const children = [...frame.children.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) {
      draw(child, childX, level + 1);
      childX += child.totalUs * scale;
    }
  };
  draw(analysis.root, margin, 0);

  const legend = [
    ['the app (dist/)', colorOf('app (dist/)', '')],
    ['Node core', colorOf('node (core)', '')],
    ['packages (node_modules)', colorOf('express', '')],
    ['V8, native, (program)', colorOf('V8 / native', '')],
    ['garbage collector', colorOf('(garbage collector)', '(garbage collector)')],
  ]
    .map(
      ([name, color], i) =>
        `<rect x="${margin + i * 190}" y="${height - 22}" width="10" height="10" fill="${color}"/><text x="${margin + i * 190 + 14}" y="${height - 13}">${name}</text>`,
    )
    .join('');

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Menlo, Consolas, 'DejaVu Sans Mono', monospace" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fdfdfd"/>`,
    `<text x="${margin}" y="22" font-size="15" font-family="Helvetica, Arial, sans-serif" font-weight="600">${escape(title)}</text>`,
    `<text x="${margin}" y="40" font-family="Helvetica, Arial, sans-serif" fill="#555">${escape(
      `${(analysis.busyMs / 1000).toFixed(2)} s of CPU in a ${(analysis.windowMs / 1000).toFixed(1)} s window (idle ${(analysis.idleMs / 1000).toFixed(2)} s). ` +
        'Width = time on CPU; a frame sits on the one that called it; hover for times. Wide tops = self time.',
    )}</text>`,
    ...rects,
    legend,
    '</svg>',
    '',
  ].join('\n');
}
