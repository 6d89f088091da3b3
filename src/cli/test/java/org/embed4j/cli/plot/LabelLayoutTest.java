package org.embed4j.cli.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Labels around a crowded centre: none overlaps another or a point, all stay in the area and near their point. */
class LabelLayoutTest {
    private static final LabelLayout.Box AREA = new LabelLayout.Box(0, 0, 1200, 900);

    @Test
    void crowdedCentreSpreadsWithoutOverlaps() {
        int n = 150;
        SplittableRandom r = new SplittableRandom(4);
        double[] px = new double[n];
        double[] py = new double[n];
        double[] w = new double[n];
        double[] h = new double[n];
        for (int i = 0; i < n; i++) {
            // a Gaussian crowd: about half the points in the middle ninth of the area, where labels pile up
            px[i] = 600 + 200 * r.nextGaussian();
            py[i] = 450 + 150 * r.nextGaussian();
            w[i] = 30 + r.nextInt(50);
            h[i] = 15;
        }
        List<LabelLayout.Placement> placed = LabelLayout.place(px, py, w, h, 4, AREA);
        assertEquals(n, placed.size());
        int overlaps = 0;
        for (int i = 0; i < n; i++) {
            LabelLayout.Box b = placed.get(i).box();
            assertTrue(b.inside(AREA), "label " + i + " " + b);
            assertEquals(w[i], b.w());
            for (int j = 0; j < i; j++) {
                overlaps += b.intersects(placed.get(j).box()) ? 1 : 0;
            }
            for (int j = 0; j < n; j++) {
                LabelLayout.Box point = new LabelLayout.Box(px[j] - 4, py[j] - 4, 8, 8);
                assertFalse(b.intersects(point), "label " + i + " covers point " + j);
            }
            double dx = Math.max(0, Math.max(b.x() - px[i], px[i] - (b.x() + b.w())));
            double dy = Math.max(0, Math.max(b.y() - py[i], py[i] - (b.y() + b.h())));
            assertTrue(Math.hypot(dx, dy) < 220, "label " + i + " is " + Math.hypot(dx, dy) + " px from its point");
        }
        assertEquals(0, overlaps, "overlapping labels");
    }

    @Test
    void pointsAtTheSameSpotGetLabelsOnDifferentSides() {
        double[] p = {500, 500, 500, 500};
        double[] w = {60, 60, 60, 60};
        double[] h = {14, 14, 14, 14};
        List<LabelLayout.Placement> placed = LabelLayout.place(p, p, w, h, 3, AREA);
        for (int i = 0; i < 4; i++) {
            assertFalse(placed.get(i).leader(), "the eight touching spots suffice for four labels");
            for (int j = 0; j < i; j++) {
                assertFalse(placed.get(i).box().intersects(placed.get(j).box()), i + " and " + j);
            }
        }
    }
}
