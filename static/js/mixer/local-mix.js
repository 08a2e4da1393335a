// The pixel probe and the explained channel, computed in the browser from the X, W and b an exported
// file carries, as the API's `probe` and `explain` answers (same fields, same meaning) so that
// renderMixer draws them unchanged. The server's check is against its own conv2d; here it is against
// the Y the file carries, which the server computed with conv2d when the file was made.
//
// mix: {input, output} decoded tensors ({shape, values}: X (Cin, H, W) and Y (Cout, H, W)),
// weight (Cout × Cin nested lists), bias (Cout), activation ("none" | "relu").

const activate = (activation, v) => (activation === "relu" ? Math.max(0, v) : v);

// z = W·x + b and y = f(z) at pixel (row, col); max_abs_error = max_n |y[n] − Y[n, row, col]|.
export function probePixel({ input, output, weight, bias, activation }, row, col) {
  const [cin, height, width] = input.shape;
  const plane = height * width;
  const at = row * width + col;
  const x = Array.from({ length: cin }, (_, c) => input.values[c * plane + at]); // X[:, row, col]
  const z = weight.map((w, n) => w.reduce((sum, wc, c) => sum + wc * x[c], 0) + bias[n]); // (Cout,)
  const y = z.map((v) => activate(activation, v));
  const error = Math.max(...y.map((v, n) => Math.abs(v - output.values[n * plane + at])));
  return { row, col, x, z, y, max_abs_error: error };
}

// Output channel n as Σ_c W[n, c]·X[c] + b[n] over every pixel. `sum` is an (H, W) tensor in the API's
// "json" encoding (nested lists), before f; max_abs_error = max |f(sum) − Y[n]|.
export function explainChannel({ input, output, weight, bias, activation }, n) {
  const [cin, height, width] = input.shape;
  const plane = height * width;
  const total = new Float64Array(plane).fill(bias[n]);
  for (let c = 0; c < cin; c++) {
    const w = weight[n][c];
    const map = input.values.subarray(c * plane, (c + 1) * plane); // X[c]
    for (let i = 0; i < plane; i++) total[i] += w * map[i];
  }
  const y = output.values.subarray(n * plane, (n + 1) * plane); // Y[n]
  let error = 0;
  for (let i = 0; i < plane; i++) error = Math.max(error, Math.abs(activate(activation, total[i]) - y[i]));
  const sum = Array.from({ length: height }, (_, r) => Array.from(total.subarray(r * width, (r + 1) * width)));
  return { channel: n, weights: [...weight[n]], bias: bias[n], sum, max_abs_error: error };
}

// Y[n] = f(Σ_c W[n, c]·X[c] + b[n]) over every pixel, written into `into` (H·W values): the Mixer
// draws a dragged weight's output channel with it before the server's answer replaces it.
export function mixRow({ input, weight, bias, activation }, n, into) {
  const [cin, height, width] = input.shape;
  const plane = height * width;
  into.fill(bias[n]);
  for (let c = 0; c < cin; c++) {
    const w = weight[n][c];
    const map = input.values.subarray(c * plane, (c + 1) * plane); // X[c]
    if (w !== 0) for (let i = 0; i < plane; i++) into[i] += w * map[i];
  }
  if (activation === "relu") for (let i = 0; i < plane; i++) into[i] = Math.max(0, into[i]);
  return into;
}
