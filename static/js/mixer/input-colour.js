// The Mixer's input in true colour, beside its channels: an image's red, green and blue channels
// (its first three, from 0 to 1) as one picture in the input view's caption. A random tensor has no
// colours, and no picture.
import { rgbImage } from "../shared/plots.js";

export function showInputColour(picture, input, channelNames) {
  const colour = channelNames.slice(0, 3).join() === "red,green,blue";
  picture.hidden = !colour;
  if (!colour) return;
  const [, height, width] = input.shape;
  picture.src = rgbImage(input.values, height, width);
}
