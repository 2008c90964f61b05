// Hand-written SVG bar chart: req/s per server, one panel per scenario, one scale per family of scenarios.
import type { BenchReport } from './types.js';

const COLORS: Record<string, string> = {
  'node-http': '#7f8c8d',
  fastify: '#2c3e50',
  'hono-node': '#e67e22',
  nginx: '#27ae60',
  fasterapi: '#c0392b',
  'fasterapi-app': '#e74c3c',
  'hono-fasterapi': '#d35400',
  'elysia-node': '#9b59b6',
  'elysia-fasterapi': '#6c3483',
  'h3-srvx': '#5dade2',
  'h3-fasterapi': '#1f618d',
  'itty-node': '#48c9b0',
  'itty-fasterapi': '#117864',
  'fasterapi-hello': '#c0392b',
  'fasterapi-hello-mw': '#e74c3c',
  'realistic-node-http': '#7f8c8d',
  'realistic-fastify': '#2c3e50',
  'realistic-express': '#8e44ad',
  'realistic-fasterapi': '#c0392b',
};
const FALLBACK = ['#8e44ad', '#2980b9', '#16a085', '#f39c12'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export function renderChart(report: BenchReport): string {
  const width = 900;
  const labelW = 170;
  const valueW = 150;
  const barMax = width - labelW - valueW - 20;
  const rowH = 20;
  const scenarios = [...new Set(report.http.map((r) => r.scenario))];
  const labels = new Map(report.contenders.map((c) => [c.name, c.label]));
  const parts: string[] = [];
  let y = 56;
  let extra = 0;
  for (const scenario of scenarios) {
    const rows = report.http.filter((r) => r.scenario === scenario).sort((a, b) => b.median.rps - a.median.rps);
    // One scale per family of scenarios (realistic-*, keepalive-*, pipeline-*, scale-*, workers-*).
    const family = scenario.split('-')[0]!;
    const max = Math.max(...report.http.filter((r) => r.scenario.split('-')[0] === family).map((r) => r.median.rps), 1);
    parts.push(`<text x="10" y="${y + 14}" font-weight="bold">${esc(`${scenario}: ${rows[0]!.title}`)}</text>`);
    y += 22;
    for (const r of rows) {
      const color = COLORS[r.contender] ?? FALLBACK[extra++ % FALLBACK.length]!;
      const w = Math.max(1, (r.median.rps / max) * barMax);
      const ratio = r.ratioToNodeHttp === null ? '' : ` (${r.ratioToNodeHttp.toFixed(2)}×)`;
      parts.push(
        `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(labels.get(r.contender) ?? r.contender)}</text>`,
        `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color}"/>`,
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 14}">${fmt(r.median.rps)} req/s${esc(ratio)}</text>`,
      );
      y += rowH;
    }
    y += 14;
  }
  const m = report.machine;
  const subtitle = `${report.settings.mode} run, ${m.date.slice(0, 10)}, ${m.cpuModel}, ${m.cores} cores, Node ${m.node}, ${report.settings.loadGenerator}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" viewBox="0 0 ${width} ${y + 10}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="18" font-size="15" font-weight="bold">Requests per second (higher is better)</text>
<text x="10" y="34" fill="#555">${esc(subtitle)}</text>
<text x="10" y="49" fill="#555">One scale per family of scenarios (realistic, keepalive, pipeline, scale, workers); ratio to node:http in parentheses.</text>
${parts.join('\n')}
</svg>
`;
}
