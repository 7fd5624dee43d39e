/**
 * Deterministic gridworld as a tabular MDP (Kumar et al. 2021 use a 10 × 10 grid with 4 actions).
 *
 * Cells (x, y) with x ∈ [0, width), y ∈ [0, height); y grows downwards. Wall cells are not states;
 * the remaining cells are states numbered in row-major cell order. Actions: 0 up (y−1), 1 down
 * (y+1), 2 left (x−1), 3 right (x+1). A move into a wall or off the grid leaves the agent in place.
 * Entering the goal pays reward 1; the goal is absorbing (self-loop, reward 0), so the optimal
 * value of a cell at shortest-path distance d ≥ 1 from the goal is γ^(d−1).
 */
import type { TabularMdp } from './mdp.ts';
import { validateMdp } from './mdp.ts';

export const GRID_ACTIONS = ['up', 'down', 'left', 'right'] as const;
const DX = [0, 0, -1, 1];
const DY = [-1, 1, 0, 0];

export type Cell = readonly [x: number, y: number];

export interface GridworldOptions {
  width?: number;
  height?: number;
  /** Cells the agent cannot enter. */
  walls?: readonly Cell[];
  /** Default: the bottom-right cell (width−1, height−1). */
  goal?: Cell;
  /** Start cell; default: uniform over every non-goal state. */
  start?: Cell;
  /** Discount; default 0.9. */
  gamma?: number;
}

export interface Gridworld extends TabularMdp {
  readonly width: number;
  readonly height: number;
  /** State → cell index y·width + x. */
  readonly cellOf: Int32Array;
  /** Cell index → state, −1 for walls. */
  readonly stateOfCell: Int32Array;
  /** The goal's state index. */
  readonly goalState: number;
}

function checkCell(field: string, c: Cell, width: number, height: number): number {
  const [x, y] = c;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || x >= width || y < 0 || y >= height) {
    throw new RangeError(`gridworld: ${field} (${x}, ${y}) is outside the ${width}×${height} grid`);
  }
  return y * width + x;
}

export function gridworld(opts: GridworldOptions = {}): Gridworld {
  const width = opts.width ?? 10;
  const height = opts.height ?? 10;
  const gamma = opts.gamma ?? 0.9;
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`gridworld: width must be a positive integer, got ${width}`);
  if (!Number.isInteger(height) || height < 1) throw new RangeError(`gridworld: height must be a positive integer, got ${height}`);
  const goal = opts.goal ?? ([width - 1, height - 1] as const);
  const isWall = new Uint8Array(width * height);
  (opts.walls ?? []).forEach((w, i) => (isWall[checkCell(`walls[${i}]`, w, width, height)] = 1));
  const goalCell = checkCell('goal', goal, width, height);
  if (isWall[goalCell]) throw new RangeError(`gridworld: goal (${goal[0]}, ${goal[1]}) is a wall`);

  const stateOfCell = new Int32Array(width * height).fill(-1);
  const cells: number[] = [];
  for (let c = 0; c < width * height; c++) if (!isWall[c]) stateOfCell[c] = cells.push(c) - 1;
  const S = cells.length;
  const A = 4;
  const goalState = stateOfCell[goalCell]!;

  const P = new Float64Array(S * A * S);
  const R = new Float64Array(S * A);
  const absorbing = new Uint8Array(S);
  absorbing[goalState] = 1;
  for (let s = 0; s < S; s++) {
    const x = cells[s]! % width;
    const y = Math.floor(cells[s]! / width);
    for (let a = 0; a < A; a++) {
      let next = s;
      if (s !== goalState) {
        const nx = x + DX[a]!;
        const ny = y + DY[a]!;
        if (nx >= 0 && nx < width && ny >= 0 && ny < height && !isWall[ny * width + nx]) next = stateOfCell[ny * width + nx]!;
        if (next === goalState) R[s * A + a] = 1;
      }
      P[(s * A + a) * S + next] = 1;
    }
  }

  const start = new Float64Array(S);
  if (opts.start) {
    const sc = checkCell('start', opts.start, width, height);
    if (isWall[sc]) throw new RangeError(`gridworld: start (${opts.start[0]}, ${opts.start[1]}) is a wall`);
    start[stateOfCell[sc]!] = 1;
  } else {
    if (S < 2) throw new RangeError('gridworld: needs at least one non-goal cell for the default start distribution');
    for (let s = 0; s < S; s++) if (s !== goalState) start[s] = 1 / (S - 1);
  }
  const wallCount = width * height - S;
  const name = `gridworld(${width}x${height},goal=(${goal[0]},${goal[1]}),walls=${wallCount},γ=${gamma})`;
  const mdp: Gridworld = { S, A, P, R, gamma, start, absorbing, name, width, height, cellOf: Int32Array.from(cells), stateOfCell, goalState };
  validateMdp(mdp);
  return mdp;
}

/** (x, y) of a gridworld state. */
export function cellXY(g: Gridworld, s: number): [number, number] {
  const c = g.cellOf[s]!;
  return [c % g.width, Math.floor(c / g.width)];
}
