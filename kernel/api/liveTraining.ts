// The live side of a training inside a cell, shared by `empathy.train` and `trainRun`: every event kept,
// the loss curve drawn (redrawn on each epoch, stop and end, and at most every `redrawMs` while steps
// stream; a last static draw when training ends, however it ends), log events handed to the caller.
import type { TrainEvent } from '../engine';
import { display, type LossCurveHandle } from './display/index';

export interface LiveTrainingOptions {
  label: string;
  /** Show the curve (default true). */
  show?: boolean;
  /** Minimum milliseconds between redraws while steps stream (default 250). */
  redrawMs?: number;
  /** Every event, as it comes (the caller's own onEvent). */
  forward?: (e: TrainEvent) => void;
  /** A log event (notes on unused fields, warnings): the caller prints what it wants of it. */
  log?: (e: Extract<TrainEvent, { type: 'log' }>) => void;
}

export class LiveTraining {
  readonly events: TrainEvent[] = [];
  private curve: LossCurveHandle | undefined;
  private id: string;
  private lastDraw = 0;

  constructor(private readonly o: LiveTrainingOptions) {
    this.id = o.label;
  }

  /** Draw the curve under `id` (the run's id once the run exists; default: the label). */
  start(id = this.o.label): void {
    this.id = id;
    if (this.o.show ?? true) this.curve = display.lossCurve(this.source(), { live: true });
  }

  /** The RunOptions.onEvent to train with. */
  readonly onEvent = (e: TrainEvent): void => {
    this.events.push(e);
    this.o.forward?.(e);
    if (e.type === 'epoch' || e.type === 'end' || e.type === 'stopped') this.redraw(true);
    else if (e.type === 'step' && Date.now() - this.lastDraw >= (this.o.redrawMs ?? 250)) this.redraw(true);
    else if (e.type === 'log') this.o.log?.(e);
  };

  /** The last, static draw. */
  finish(): void {
    this.redraw(false);
  }

  private source() {
    return { events: this.events, id: this.id, label: this.o.label };
  }

  private redraw(live: boolean): void {
    this.lastDraw = Date.now();
    this.curve?.update(this.source(), live);
  }
}
