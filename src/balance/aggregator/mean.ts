// Equal weighting of the task gradients: the mean (w_t = 1/T) or the sum (w_t = 1, LibMTL's "EW").
// The baseline every other aggregator is timed against.
import { filled, gramianAggregator } from '../core.ts';

export function mean() {
  return gramianAggregator<null>({
    name: 'mean',
    paper: 'equal weights w_t = 1/T (direction = mean of the task gradients)',
    init: () => null,
    weights: (K) => ({ weights: filled(K.rows, 1 / K.rows), state: null }),
  });
}

export function sum() {
  return gramianAggregator<null>({
    name: 'sum',
    paper: 'equal weights w_t = 1 (direction = sum of the task gradients; LibMTL\'s EW)',
    init: () => null,
    weights: (K) => ({ weights: filled(K.rows, 1), state: null }),
  });
}
