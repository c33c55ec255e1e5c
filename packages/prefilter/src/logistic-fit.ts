/**
 * Logistic regression by Newton's method (iteratively reweighted least squares) with an L2 penalty
 * on the weights (not the intercept). Newton rather than gradient descent: a dozen exact steps
 * converge to the unique optimum with no learning rate to tune, and every step adds up the items in
 * the same order, so the same data always gives bit-for-bit the same weights.
 */

/** Training rows in compressed sparse form: row i's features are `indices`/`values` [starts[i], starts[i+1]). */
export interface SparseRows {
  dimension: number;
  starts: Int32Array;
  indices: Int32Array;
  values: Float64Array;
  labels: Uint8Array;
}

export interface LogisticFitOptions {
  /** Penalty λ·Σw²/2 on the summed log-likelihood (so its strength shrinks as data grows). */
  l2: number;
  maxIterations: number;
  /** Stop once no coefficient moves by more than this. */
  tolerance: number;
}

export interface LogisticFit {
  intercept: number;
  weights: Float64Array;
  iterations: number;
  /** Mean log-loss of the training rows at the solution. */
  logLoss: number;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function fitLogistic(rows: SparseRows, options: LogisticFitOptions): LogisticFit {
  const { dimension, starts, indices, values, labels } = rows;
  const n = labels.length;
  // Coefficient 0 is the intercept; feature j is coefficient j + 1.
  const size = dimension + 1;
  const beta = new Float64Array(size);
  const gradient = new Float64Array(size);
  const hessian = new Float64Array(size * size);
  let iterations = 0;

  for (; iterations < options.maxIterations; ) {
    iterations++;
    gradient.fill(0);
    hessian.fill(0);
    for (let i = 0; i < n; i++) {
      const from = starts[i] as number;
      const to = starts[i + 1] as number;
      let eta = beta[0] as number;
      for (let k = from; k < to; k++)
        eta += (beta[(indices[k] as number) + 1] as number) * (values[k] as number);
      const p = sigmoid(eta);
      const residual = (labels[i] as number) - p;
      const weight = p * (1 - p);
      gradient[0] = (gradient[0] as number) + residual;
      hessian[0] = (hessian[0] as number) + weight;
      for (let k = from; k < to; k++) {
        const a = (indices[k] as number) + 1;
        const va = values[k] as number;
        gradient[a] = (gradient[a] as number) + residual * va;
        hessian[a] = (hessian[a] as number) + weight * va; // row 0 (intercept × feature)
        for (let m = from; m < to; m++) {
          const b = (indices[m] as number) + 1;
          hessian[a * size + b] = (hessian[a * size + b] as number) + weight * va * (values[m] as number);
        }
      }
    }
    // Mirror row 0 into column 0, then the penalty.
    for (let a = 1; a < size; a++) hessian[a * size] = hessian[a] as number;
    for (let a = 1; a < size; a++) {
      gradient[a] = (gradient[a] as number) - options.l2 * (beta[a] as number);
      hessian[a * size + a] = (hessian[a * size + a] as number) + options.l2;
    }
    const step = solveSymmetric(hessian, gradient, size);
    let largest = 0;
    for (let a = 0; a < size; a++) {
      beta[a] = (beta[a] as number) + (step[a] as number);
      largest = Math.max(largest, Math.abs(step[a] as number));
    }
    if (largest < options.tolerance) break;
  }

  let loss = 0;
  for (let i = 0; i < n; i++) {
    let eta = beta[0] as number;
    for (let k = starts[i] as number; k < (starts[i + 1] as number); k++) {
      eta += (beta[(indices[k] as number) + 1] as number) * (values[k] as number);
    }
    const p = sigmoid(eta);
    loss -= labels[i] ? Math.log(Math.max(p, 1e-300)) : Math.log(Math.max(1 - p, 1e-300));
  }
  return { intercept: beta[0] as number, weights: beta.slice(1), iterations, logLoss: loss / n };
}

/**
 * Solves A·x = b for a symmetric positive-definite A (row-major, size × size) by Cholesky.
 * A feature never seen in training has only its penalty on the diagonal, so A stays definite.
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, size: number): Float64Array {
  const l = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * size + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * size + k] as number) * (l[j * size + k] as number);
      if (i === j) {
        if (!(sum > 0)) throw new RangeError("matrix is not positive definite (add an L2 penalty)");
        l[i * size + i] = Math.sqrt(sum);
      } else {
        l[i * size + j] = sum / (l[j * size + j] as number);
      }
    }
  }
  const y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * size + k] as number) * (y[k] as number);
    y[i] = sum / (l[i * size + i] as number);
  }
  const x = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < size; k++) sum -= (l[k * size + i] as number) * (x[k] as number);
    x[i] = sum / (l[i * size + i] as number);
  }
  return x;
}
