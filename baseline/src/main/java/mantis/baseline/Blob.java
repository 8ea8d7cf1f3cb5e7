package mantis.baseline;

import mantis.core.PixelBox;
import mantis.core.PixelPoint;

/**
 * One connected region of a palette colour in a frame.
 *
 * @param colour the palette colour it was classified as
 * @param centroid centroid of its top face (its brightest pixels; an object's sides are drawn
 *     darker)
 * @param box bounding box of its top face, pixels (left, top, width, height)
 * @param areaPx number of pixels of the whole region
 * @param fillRatio top-face area divided by its bounding box area: about 1 for a square, π/4 for a
 *     disc, low for an outline
 * @param meanRgb mean colour, 0xRRGGBB
 */
record Blob(
    Palette colour,
    PixelPoint centroid,
    PixelBox box,
    double areaPx,
    double fillRatio,
    int meanRgb) {
  /** An outline (a target zone's frame) rather than a solid object. */
  boolean isOutline() {
    return fillRatio < 0.5 && box.widthPx() >= 4 && box.heightPx() >= 4;
  }

  /** Centre of the bounding box. */
  PixelPoint boxCentre() {
    return new PixelPoint(
        box.xPx() + (box.widthPx() - 1) / 2.0, box.yPx() + (box.heightPx() - 1) / 2.0);
  }
}
