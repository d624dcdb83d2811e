/**
 * The data an HTML report page carries: one run (simulate, show), the variants of a comparison, the
 * findings of `advise` with the runs that measured them, or what `check` found (check-page.ts); each
 * run as its view (run-view.ts).
 */
import { DROP_REASONS } from '../../fabric/drop-reasons.ts';
import type { Risk } from '../../advise/risk.ts';
import type { CheckPage, CheckReplayPage } from './check-page.ts';
import { MILESTONE_TEXT } from '../terminal-report.ts';
import type { RunView } from './run-view.ts';

export type ReportPage =
  | { kind: 'run'; title: string; run: RunView }
  | { kind: 'compare'; title: string; keys: string[]; variants: { label: string; run: RunView }[] }
  | { kind: 'advise'; title: string; clean: RunView | null; findings: { risk: Risk; runs: { label: string; run: RunView }[] }[] }
  | CheckPage
  | CheckReplayPage;

/** Texts the page needs: what each milestone and drop reason means. */
export const PAGE_TEXTS = { milestones: MILESTONE_TEXT, dropReasons: DROP_REASONS };
