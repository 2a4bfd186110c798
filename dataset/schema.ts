// The domain schema, at the bottom of every layer: mechanisms, levels and (seeker post, response post)
// pairs with their gold labels. A leaf module (no imports): dataset/, the kernel, the protocol and the
// webviews (through kernel/protocol) all take these types from here.

/** EPITOME's three communication mechanisms: Emotional Reactions, Interpretations, Explorations. */
export type Mechanism = 'ER' | 'IP' | 'EX';
/** Every mechanism, in the paper's order; use this instead of typing the list out. */
export const MECHANISMS: readonly Mechanism[] = ['ER', 'IP', 'EX'];

/** Strength of a mechanism in a response: 0 no, 1 weak, 2 strong communication. */
export type Level = 0 | 1 | 2;

/** One (seeker post, response post) pair to score. */
export interface Pair {
  id: string;
  seekerPost: string;
  responsePost: string;
}

/**
 * Gold annotation of one mechanism for a pair. `spans` are located once, when the row is read
 * (dataset/label.ts: build one by hand with `labelOf(response, level, rationales)`).
 */
export interface MechanismLabel {
  level: Level;
  /** Rationale substrings of the response, as in the dataset's `rationales` column (split on `|`). */
  rationales: string[];
  /** Where the rationales are: [start, end) character offsets into the response post, sorted, merged. */
  spans: Array<[number, number]>;
  /** Rationales not found in the response (not even ignoring whitespace), as written. */
  missed: string[];
}

/** A pair with gold labels for one or more mechanisms (joint training uses all three). */
export interface LabeledPair extends Pair {
  /** Seeker-post id, used for grouped splits. */
  spId?: string;
  labels: Partial<Record<Mechanism, MechanismLabel>>;
}
