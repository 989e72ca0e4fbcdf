package chainkm.testbed;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** A small PNG line plot (log-scale x optional) for bench figures; no plotting library needed. */
final class LinePlot {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0x17becf), new Color(0x7f7f7f)};

    private LinePlot() {}

    /** @param series name to points {x, y}, x ascending */
    static void write(Path file, String title, String xLabel, String yLabel, boolean logX, Map<String, List<double[]>> series)
            throws IOException {
        int w = 800;
        int h = 500;
        int left = 80;
        int right = 60;
        int top = 50;
        int bottom = 70;
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = 0;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) {
                double x = logX ? Math.log10(p[0]) : p[0];
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                maxY = Math.max(maxY, p[1]);
            }
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        maxY = maxY <= 0 ? 1 : maxY * 1.1;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.drawRect(left, top, pw, ph);
        // a few distinct x values (e.g. numbers of gateways): one tick at each; otherwise five even steps
        java.util.TreeSet<Double> xs = new java.util.TreeSet<>();
        series.values().forEach(pts -> pts.forEach(p -> xs.add(p[0])));
        boolean ticksAtValues = !logX && xs.size() <= 12;
        for (int i = 0; i <= 5; i++) {
            double yv = maxY * i / 5;
            int y = top + ph - (int) (ph * i / 5.0);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left + 1, y, left + pw - 1, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(yv >= 100 ? "%.0f" : "%.2f", yv), 10, y + 4);
            if (!ticksAtValues) {
                double xv = minX + (maxX - minX) * i / 5;
                int x = left + (int) (pw * i / 5.0);
                g.drawString(String.format("%.0f", logX ? Math.pow(10, xv) : xv), x - 15, top + ph + 18);
            }
        }
        if (ticksAtValues) {
            for (double xv : xs) {
                int x = left + (int) (pw * (xv - minX) / (maxX - minX));
                g.drawLine(x, top + ph, x, top + ph + 4);
                g.drawString(xv == Math.rint(xv) ? String.format("%.0f", xv) : String.format("%.1f", xv), x - 4,
                        top + ph + 18);
            }
        }
        g.drawString(xLabel + (logX ? " (log scale)" : ""), left + pw / 2 - 60, h - 25);
        g.drawString(yLabel, left, top - 8);
        int c = 0;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            g.setColor(COLORS[c % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (double[] p : s.getValue()) {
                double xv = logX ? Math.log10(p[0]) : p[0];
                int x = left + (int) (pw * (xv - minX) / (maxX - minX));
                int y = top + ph - (int) (ph * p[1] / maxY);
                g.fillOval(x - 3, y - 3, 6, 6);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawString(s.getKey(), left + 10, top + 20 + 16 * c);
            c++;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }
}
