package org.embed4j.cli.plot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places one text label per point on a picture so that labels stay readable: greedy, in the given order (the most
 * important words first). For each label it tries the eight spots touching its point (right, left, above, below,
 * then the corners), then rings of spots further out (joined to the point by a leader line), and takes the first
 * spot that stays inside the plot area and overlaps no label placed before it and no point; when every spot is
 * taken, the spot with the least overlap. So labels spread into the free space around a crowded centre instead of
 * piling up on it. Pixel coordinates, y downwards. A uniform grid keeps each test local: about O(N · spots).
 * Stateless and thread-safe.
 */
public final class LabelLayout {
    /** Rings of farther spots tried after the eight touching ones, a label height apart. */
    static final int RINGS = 12;

    private static final double GAP = 2;

    private LabelLayout() {}

    /** An axis-aligned rectangle: top-left corner and size. */
    public record Box(double x, double y, double w, double h) {
        boolean intersects(Box o) {
            return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h;
        }

        double overlap(Box o) {
            double dx = Math.min(x + w, o.x + o.w) - Math.max(x, o.x);
            double dy = Math.min(y + h, o.y + o.h) - Math.max(y, o.y);
            return dx > 0 && dy > 0 ? dx * dy : 0;
        }

        boolean inside(Box area) {
            return x >= area.x && y >= area.y && x + w <= area.x + area.w && y + h <= area.y + area.h;
        }

        double centerX() {
            return x + w / 2;
        }

        double centerY() {
            return y + h / 2;
        }
    }

    /** Where label i went, and whether it is away from its point (draw a leader line to it). */
    public record Placement(Box box, boolean leader) {}

    /**
     * @param px the points' x, pixels
     * @param py the points' y, pixels (downwards)
     * @param widths each label's width
     * @param heights each label's height
     * @param pointRadius the marker's radius: labels keep clear of every marker
     * @param area the plot area that labels stay inside when they can
     */
    public static List<Placement> place(
            double[] px, double[] py, double[] widths, double[] heights, double pointRadius, Box area) {
        int n = px.length;
        if (py.length != n || widths.length != n || heights.length != n) {
            throw new IllegalArgumentException("label layout needs one x, y, width and height per point; got " + n
                    + ", " + py.length + ", " + widths.length + ", " + heights.length);
        }
        double cell = 0;
        for (int i = 0; i < n; i++) {
            cell = Math.max(cell, Math.max(widths[i], heights[i]));
        }
        Grid grid = new Grid(Math.max(8, cell));
        for (int i = 0; i < n; i++) {
            grid.add(new Box(px[i] - pointRadius, py[i] - pointRadius, 2 * pointRadius, 2 * pointRadius));
        }
        List<Placement> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Placement best = null;
            double bestCost = Double.POSITIVE_INFINITY;
            for (Placement c : candidates(px[i], py[i], widths[i], heights[i], pointRadius)) {
                if (!c.box().inside(area)) {
                    continue;
                }
                double cost = grid.overlap(c.box());
                if (cost == 0) {
                    best = c;
                    break;
                }
                if (cost < bestCost) {
                    bestCost = cost;
                    best = c;
                }
            }
            if (best == null) {
                // the label is wider than the room around its point: keep it beside the point, clipped by the picture
                best = candidates(px[i], py[i], widths[i], heights[i], pointRadius)
                        .getFirst();
            }
            grid.add(best.box());
            out.add(best);
        }
        return out;
    }

    /** The spots to try for a w×h label at (x, y), nearest first. */
    static List<Placement> candidates(double x, double y, double w, double h, double r) {
        List<Placement> c = new ArrayList<>(8 + RINGS * (12 + 2 * RINGS));
        double g = r + GAP;
        // above and below clear the side labels too, so that a point's own labels never collide
        double gv = Math.max(g, h / 2 + GAP);
        c.add(new Placement(new Box(x + g, y - h / 2, w, h), false)); // right
        c.add(new Placement(new Box(x - g - w, y - h / 2, w, h), false)); // left
        c.add(new Placement(new Box(x - w / 2, y - gv - h, w, h), false)); // above
        c.add(new Placement(new Box(x - w / 2, y + gv, w, h), false)); // below
        c.add(new Placement(new Box(x + g, y - gv - h, w, h), false));
        c.add(new Placement(new Box(x - g - w, y - gv - h, w, h), false));
        c.add(new Placement(new Box(x + g, y + gv, w, h), false));
        c.add(new Placement(new Box(x - g - w, y + gv, w, h), false));
        for (int ring = 1; ring <= RINGS; ring++) {
            double radius = g + ring * h;
            int spots = 12 + 4 * ring; // about as far apart on every ring
            for (int k = 0; k < spots; k++) {
                double a = 2 * Math.PI * k / spots;
                double cx = x + Math.cos(a) * (radius + w / 2);
                double cy = y - Math.sin(a) * (radius + h / 2);
                c.add(new Placement(new Box(cx - w / 2, cy - h / 2, w, h), true));
            }
        }
        return c;
    }

    /** Boxes bucketed by grid cell, for overlap queries near a box. */
    private static final class Grid {
        private final double cell;
        private final Map<Long, List<Box>> cells = new HashMap<>();

        Grid(double cell) {
            this.cell = cell;
        }

        void add(Box b) {
            for (long key : keys(b)) {
                cells.computeIfAbsent(key, k -> new ArrayList<>()).add(b);
            }
        }

        /** Total area of {@code b} covered by the boxes already added (a box spanning cells counts once). */
        double overlap(Box b) {
            double sum = 0;
            java.util.Set<Box> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (long key : keys(b)) {
                for (Box o : cells.getOrDefault(key, List.of())) {
                    if (seen.add(o) && o.intersects(b)) {
                        sum += o.overlap(b);
                    }
                }
            }
            return sum;
        }

        private long[] keys(Box b) {
            long x0 = (long) Math.floor(b.x() / cell);
            long x1 = (long) Math.floor((b.x() + b.w()) / cell);
            long y0 = (long) Math.floor(b.y() / cell);
            long y1 = (long) Math.floor((b.y() + b.h()) / cell);
            long[] keys = new long[(int) ((x1 - x0 + 1) * (y1 - y0 + 1))];
            int k = 0;
            for (long gx = x0; gx <= x1; gx++) {
                for (long gy = y0; gy <= y1; gy++) {
                    keys[k++] = (gx << 32) ^ (gy & 0xffffffffL);
                }
            }
            return keys;
        }
    }
}
