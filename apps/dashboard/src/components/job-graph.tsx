/**
 * The job graph: the plan's vertices laid out left to right by dagre, drawn as SVG. Each node shows
 * its name, parallelism, records in/out per second (from the difference of two polls of
 * `/jobs/:id`), its busy time (fill colour, blue idle → red busy) and backpressure (a dark
 * border, Flink's colours) and its lowest watermark, when those endpoints exist; edges name the
 * ship strategy. A click opens the vertex's subtasks. Every line is fitted to the box by its
 * rendered width (text-fit.ts), cut with an ellipsis when too wide; the node's tooltip (its SVG
 * <title>) keeps the full name and every line in full.
 */
import { Graph, layout } from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import { fmtNumber, fmtWatermark } from '../format';
import type { PlanNode, Vertex } from '../types';
import { fitSvgText } from './text-fit';
import type { VertexLive } from './vertex-live';

const NODE_W = 230;
const NODE_H = 92;
/** Where a node's lines start, and the room kept free before its right border. */
const TEXT_X = 10;
const TEXT_RIGHT_PAD = 6;
const TEXT_MAX_W = NODE_W - TEXT_X - TEXT_RIGHT_PAD;

/** One line of a node: `text` as wide as the box allows, measured with the line's own CSS font. */
function Line({ y, cls, text }: { y: number; cls: string; text: string }) {
  const shown = fitSvgText(text, TEXT_MAX_W, 'graph-node', cls);
  return (
    <text x={TEXT_X} y={y} class={cls}>
      {shown}
    </text>
  );
}

interface Props {
  nodes: PlanNode[];
  vertices: Vertex[];
  live: Map<string, VertexLive>;
  onSelect?: (vertexId: string) => void;
  selected?: string;
}

interface Laid {
  nodes: { id: string; x: number; y: number }[];
  edges: { from: string; to: string; name: string; label: string; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
}

function lay(nodes: PlanNode[]): Laid {
  // A multigraph: two edges between the same vertices (a branched chain's two outputs into a join,
  // q3/q4/q8) are two arrows, one per input of the plan.
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) {
    (n.inputs ?? []).forEach((input, i) => {
      if (ids.has(input.id)) g.setEdge(input.id, n.id, { label: input.ship_strategy, width: 60, height: 16 }, `input-${i}`);
    });
  }
  layout(g);
  const graph = g.graph();
  return {
    nodes: g.nodes().map((id) => ({ id, x: g.node(id).x, y: g.node(id).y })),
    edges: g.edges().map((e) => ({ from: e.v, to: e.w, name: e.name ?? '', label: String(g.edge(e).label ?? ''), points: g.edge(e).points ?? [] })),
    width: graph.width ?? NODE_W,
    height: graph.height ?? NODE_H,
  };
}

/** Busy ratio 0..1 → Flink-like fill: idle blue to busy red. */
function busyColour(busy: number | undefined): string {
  if (busy === undefined) return '#e7f1fb';
  const hue = 210 - 210 * Math.min(1, Math.max(0, busy));
  return `hsl(${hue} 70% 85%)`;
}

function backpressureStroke(level: string | undefined): { stroke: string; width: number } {
  if (level === 'high') return { stroke: '#212529', width: 4 };
  if (level === 'low') return { stroke: '#868e96', width: 3 };
  return { stroke: '#4d6580', width: 1.5 };
}

export function JobGraph({ nodes, vertices, live, onSelect, selected }: Props) {
  const laid = useMemo(() => lay(nodes), [nodes.map((n) => n.id + ':' + (n.inputs ?? []).map((i) => i.id).join(',')).join('|')]);
  const byId = new Map(vertices.map((v) => [v.id, v]));
  const planById = new Map(nodes.map((n) => [n.id, n]));
  return (
    <div class="graph-box">
    <svg class="job-graph" width={laid.width} height={laid.height} viewBox={`0 0 ${laid.width} ${laid.height}`} role="img" aria-label="job graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" fill="#4d6580" />
        </marker>
      </defs>
      {laid.edges.map((e) => {
        const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
        const mid = e.points[Math.floor(e.points.length / 2)];
        return (
          <g class="graph-edge" key={e.from + '>' + e.to + '#' + e.name}>
            <path d={d} fill="none" stroke="#4d6580" stroke-width="1.5" marker-end="url(#arrow)" />
            {mid && (
              <text x={mid.x} y={mid.y - 6} text-anchor="middle" class="edge-label">
                {e.label}
              </text>
            )}
          </g>
        );
      })}
      {laid.nodes.map((n) => {
        const v = byId.get(n.id);
        const plan = planById.get(n.id);
        const l = live.get(n.id);
        const bp = backpressureStroke(l?.backpressure);
        const x = n.x - NODE_W / 2;
        const y = n.y - NODE_H / 2;
        const name = v?.name ?? plan?.description ?? n.id;
        const lines: [number, string, string][] = [
          [38, 'node-line', `parallelism ${v?.parallelism ?? plan?.parallelism ?? '?'} · ${v?.status ?? 'CREATED'}`],
          [55, 'node-line node-rates', `in ${fmtNumber(l?.inRate)}/s · out ${fmtNumber(l?.outRate)}/s`],
          [72, 'node-line node-busy', `busy ${l?.busy === undefined ? '–' : Math.round(l.busy * 100) + '%'} · backpressure ${l?.backpressure ?? '–'}`],
          [86, 'node-line node-watermark', `watermark ${l?.watermark === undefined ? '–' : fmtWatermark(l.watermark)}`],
        ];
        return (
          <g
            class={'graph-node' + (selected === n.id ? ' selected' : '')}
            key={n.id}
            data-vertex-id={n.id}
            transform={`translate(${x},${y})`}
            onClick={() => onSelect?.(n.id)}
          >
            {/* The tooltip: every line in full, whatever the box had to cut. */}
            <title>{[name, plan?.operator ?? '', ...lines.map(([, , text]) => text)].join('\n')}</title>
            <rect width={NODE_W} height={NODE_H} rx="8" fill={busyColour(l?.busy)} stroke={selected === n.id ? '#1864ab' : bp.stroke} stroke-width={selected === n.id ? 3 : bp.width} />
            <Line y={20} cls="node-title" text={name} />
            {lines.map(([ly, cls, text]) => (
              <Line key={cls} y={ly} cls={cls} text={text} />
            ))}
          </g>
        );
      })}
    </svg>
    </div>
  );
}
