// Shared shapes of the benchmark suite (runner, report, chart, micro part).
import type { WsResult } from './http/ws-echo.js';

/** One row of the micro part (bench/micro/run.ts exports runMicro(opts): Promise<MicroResult[]>). */
export interface MicroResult {
  name: string;
  opsPerSec: number;
  nsPerOp: number;
  /** Bytes allocated per operation (null when not measured). */
  bytesPerOp: number | null;
}

/** Figures of one load run (one round) or their medians. */
export interface Figures {
  /** The round it was measured in (absent on medians). */
  round?: number;
  rps: number;
  requests: number;
  /** Server CPU time (user + system, all server processes) per completed request, microseconds. */
  cpuUsPerReq: number | null;
  /** Server CPU utilisation during the run, % of one core. */
  serverCpuPct: number | null;
  /** Load generator CPU utilisation during the run, % of one core. */
  loadgenCpuPct: number | null;
  /** CPU used by everything else on the machine during the run (other processes), % of one core. */
  otherCpuPct: number | null;
  /** Peak resident set size of the server (VmHWM, summed over its processes), MiB. */
  peakRssMiB: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  non2xx: number;
}

export interface ScenarioResult {
  scenario: string;
  /** What the scenario is, e.g. "keep-alive, 50 connections, GET /". */
  title: string;
  contender: string;
  rounds: Figures[];
  median: Figures;
  /** req/s divided by node:http's in the same scenario and round, median over rounds (see pairedRatio). */
  ratioToNodeHttp: number | null;
  /** node:http's CPU time per request divided by this server's (> 1: cheaper per request), paired the same way. */
  cpuRatioToNodeHttp: number | null;
  note?: string;
}

export interface Skip {
  what: string;
  why: string;
}

export interface TargetStatus {
  target: string;
  measured: string;
  status: 'met' | 'not met' | 'not measured';
}

export interface Machine {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  kernel: string;
  memoryGiB: number;
  date: string;
}

export interface Settings {
  mode: 'quick' | 'full';
  loadGenerator: string;
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
  pipelineDepth: number;
  pinning: string;
  /** CPU used by other processes on the machine just before the HTTP part, % of one core. */
  backgroundCpuPct: number | null;
}

export interface ContenderInfo {
  name: string;
  label: string;
  status: 'ran' | 'skipped' | 'dropped';
  reason?: string;
}

export interface BenchReport {
  machine: Machine;
  settings: Settings;
  contenders: ContenderInfo[];
  skipped: Skip[];
  micro: MicroResult[] | null;
  http: ScenarioResult[];
  targets: TargetStatus[];
  /** The WebSocket echo scenario (full runs and `--scenario ws-echo`). */
  websocket?: WsResult[];
  elapsedS: number;
}
